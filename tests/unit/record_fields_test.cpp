// --log-json: every field of every trace record, in words where the record has a code,
// and the JSON sink putting them beside the message.
#include "vmm/trace/record_fields.h"

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "vmm/log/json_sink.h"

using namespace cocoon::vmm;
using namespace cocoon::trace;

TEST(RecordFields, AFaultThatKillsCarriesEveryField) {
    Record r{};
    r.seq = 41;
    r.tsc = 123456;
    r.kind = kind_fault;
    r.cpu = 0;
    r.pid = 6;
    r.fault = FaultEvent{0x400010, 0x400123, 0xff75000, 0x7, 14, outcome_killed, kill_write_code, 0};
    auto j = record_fields(decode(r), 15210000, 2000000);
    EXPECT_EQ(j["seq"], 41);
    EXPECT_EQ(j["t_ns"], 15210000);
    EXPECT_EQ(j["tsc"], 123456);
    EXPECT_EQ(j["kind"], "fault");
    EXPECT_EQ(j["pid"], 6);
    EXPECT_EQ(j["address"], "0x400010");
    EXPECT_EQ(j["rip"], "0x400123");
    EXPECT_EQ(j["cr3"], "0xff75000");
    EXPECT_EQ(j["vector"], 14);
    EXPECT_EQ(j["error_code"], 7);
    EXPECT_EQ(j["access"], "present, user, write");
    EXPECT_EQ(j["present"], true);
    EXPECT_EQ(j["write"], true);
    EXPECT_EQ(j["user"], true);
    EXPECT_EQ(j["fetch"], false);
    EXPECT_EQ(j["outcome"], "killed");
    EXPECT_EQ(j["kill_reason"], "write to read-only page");
}

TEST(RecordFields, AddressesAboveTwoToThe53KeepEveryBit) {
    Record r{};
    r.kind = kind_fault;
    r.fault = FaultEvent{0xffffffff80100000ull, 0x400027, 0x1000, 0x5, 14, outcome_killed, kill_kernel_access, 0};
    EXPECT_EQ(record_fields(decode(r), 0, 1)["address"], "0xffffffff80100000");
}

TEST(RecordFields, SwitchExitDiskAndPagingRecords) {
    Record sw{};
    sw.kind = kind_switch;
    sw.sw = SwitchEvent{3, 4, switch_quantum, 0};
    auto j = record_fields(decode(sw), 0, 1);
    EXPECT_EQ(j["from"], 3);
    EXPECT_EQ(j["to"], 4);
    EXPECT_EQ(j["reason"], "quantum expired");

    Record ex{};
    ex.kind = kind_exit;
    ex.proc = ProcessEvent{"stackoverflow", 0x2000, -1, kill_stack_guard, 2049, 10};
    j = record_fields(decode(ex), 0, 1);
    EXPECT_EQ(j["name"], "stackoverflow");
    EXPECT_EQ(j["killed"], true);
    EXPECT_EQ(j["kill_reason"], "stack overflow into the guard gap");
    EXPECT_EQ(j["peak_pages"], 2049);
    EXPECT_EQ(j["table_pages"], 10);

    Record disk{};
    disk.kind = kind_disk;
    disk.disk = DiskEvent{2048, 4096, 1, 0, 1, 3000};
    j = record_fields(decode(disk), 0, 2000000);  // 2 GHz: 3000 cycles are 1500 ns
    EXPECT_EQ(j["op"], "write");
    EXPECT_EQ(j["status"], "ok");
    EXPECT_EQ(j["sector"], 2048);
    EXPECT_EQ(j["bytes"], 4096);
    EXPECT_EQ(j["device"], 1);
    EXPECT_EQ(j["latency_ns"], 1500);

    Record out{};
    out.kind = kind_page_out;
    out.swap = SwapEvent{0x10000000, 17, 0x3000, 1, 0};
    j = record_fields(decode(out), 0, 1);
    EXPECT_EQ(j["kind"], "page-out");
    EXPECT_EQ(j["vaddr"], "0x10000000");
    EXPECT_EQ(j["slot"], 17);
    EXPECT_EQ(j["written"], true);
}

TEST(RecordFields, AnUnterminatedNameAndAnUnknownKindAreSafe) {
    Record r{};
    r.kind = kind_spawn;
    std::memset(r.proc.name, 'x', sizeof r.proc.name);  // no NUL: a hostile kernel
    EXPECT_EQ(record_fields(decode(r), 0, 1)["name"], std::string(sizeof r.proc.name, 'x'));
    r.kind = 999;
    EXPECT_EQ(record_fields(decode(r), 0, 1)["kind"], "unknown");
}

// A kernel that breaks the contract gets its numbers said back, not a guess at them.
TEST(RecordFields, AnOutcomeOrAKillReasonTheContractDoesNotNameIsSaidToBeUnknown) {
    Record r{};
    r.kind = kind_fault;
    r.fault = FaultEvent{0x10, 0x400027, 0x1000, 0, 6, outcome_killed, 99, 0};
    auto j = record_fields(decode(r), 0, 1);
    EXPECT_EQ(j["outcome"], "killed");
    EXPECT_EQ(j["kill_reason"], "unknown reason 99");
    EXPECT_FALSE(j.contains("error_code")) << "not a page fault";
    r.fault.outcome = 77;
    j = record_fields(decode(r), 0, 1);
    EXPECT_EQ(j["outcome"], "?");
    EXPECT_FALSE(j.contains("kill_reason"));
}

TEST(JsonSink, LinesWrittenUnderLogFieldsCarryThemAndOthersDoNot) {
    std::string path = ::testing::TempDir() + "json_sink_test.jsonl";
    {
        auto sink = std::make_shared<JsonSink>(path);
        spdlog::logger logger("test", sink);
        nlohmann::json fields = {{"kind", "switch"}, {"to", 4}};
        {
            LogFields scope(fields);
            logger.info("t=1.000ms switch spin#3 → spin#4 (quantum expired)");
        }
        logger.info("plain");
        logger.flush();
    }
    std::ifstream in(path);
    std::string first, second;
    std::getline(in, first);
    std::getline(in, second);
    auto a = nlohmann::json::parse(first), b = nlohmann::json::parse(second);
    EXPECT_EQ(a["msg"], "t=1.000ms switch spin#3 → spin#4 (quantum expired)");
    EXPECT_EQ(a["kind"], "switch");
    EXPECT_EQ(a["to"], 4);
    EXPECT_EQ(a["level"], "info");
    EXPECT_EQ(b["msg"], "plain");
    EXPECT_FALSE(b.contains("kind"));
    std::remove(path.c_str());
}
