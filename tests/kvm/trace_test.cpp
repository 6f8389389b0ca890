// The trace ring under load: a program makes twenty times more records than the ring
// holds, as fast as it can. cocoon must take every one, in order, and the records must
// not cost a VM exit each.
#include <gtest/gtest.h>

#include "support/json_log.h"
#include "support/run_cocoon.h"

using namespace cocoon::test;

namespace {

constexpr int ring_capacity = 1024;  // guest/kernel/trace.cpp
constexpr int yields = 20000;        // guest/programs/burst.cpp

uint64_t exits_at(const nlohmann::json& exits, const char* port) { return exits["by_port"].value(port, uint64_t{0}); }

TEST(Trace, ABurstFarLargerThanTheRingLosesNothingAndCostsNoExitPerRecord) {
    COCOON_REQUIRE_KVM();
    std::string log = build_path("tests/kvm/burst-log.jsonl");
    auto run = run_cocoon({"run", "--cmdline", "init=burst", "--log-json", log, "--timeout", "600"},
                          std::chrono::seconds(600));
    ASSERT_EQ(run.status, 0) << run.err;
    ASSERT_NE(run.out.find("burst pid=1: yielded 20000 times"), std::string::npos) << run.out;

    auto lines = read_json_lines(log);
    auto records = trace_records(lines);
    ASSERT_GT(records.size(), size_t{yields});
    // Every record, each once, in order: the sequence numbers run 0, 1, 2, … with no gap.
    size_t switches_to_burst = 0;
    for (size_t i = 0; i < records.size(); ++i) {
        ASSERT_EQ(records[i]["seq"].get<uint64_t>(), i) << records[i];
        switches_to_burst += records[i]["kind"] == "switch" && records[i]["to"] == 1;
    }
    EXPECT_GT(switches_to_burst, size_t{yields});  // one per yield, and the first run
    auto trace = summary(lines, "trace");
    ASSERT_FALSE(trace.is_null());
    EXPECT_EQ(trace["lost"], 0);
    EXPECT_EQ(trace["records"].get<size_t>(), records.size());

    // The doorbell is an ioeventfd: no exit. A kick (the ring was full) is one exit per
    // ring-full, not per record.
    auto exits = summary(lines, "exits");
    ASSERT_FALSE(exits.is_null());
    EXPECT_EQ(exits_at(exits, "0xe0c"), 0u) << exits;
    EXPECT_LT(exits_at(exits, "0xe10"), records.size() / (ring_capacity / 4)) << exits;
    uint64_t all_exits = 0;
    for (const auto& [reason, count] : exits["by_reason"].items()) all_exits += count.get<uint64_t>();
    EXPECT_LT(all_exits, records.size() / 10) << exits;
}

} // namespace
