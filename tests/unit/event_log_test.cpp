// What cocoon makes of a stream of trace records: the per-process summary (CPU time to
// the process on the CPU until it switches out or exits, times scheduled, faults by
// kind, the kernel's peak and page-table counts) as the JSON log carries it.
#include "vmm/trace/event_log.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "../kvm/support/json_log.h"
#include "vmm/log/logging.h"

using namespace cocoon::vmm;
using namespace cocoon::trace;

namespace {

constexpr uint32_t khz = 1000;  // 1 MHz: 1000 TSC cycles per ms

Record at(uint64_t ms, uint16_t kind, uint32_t pid) {
    Record r{};
    r.tsc = ms * khz;
    r.kind = kind;
    r.pid = pid;
    return r;
}

Record spawn(uint64_t ms, uint32_t pid, const char* name) {
    Record r = at(ms, kind_spawn, pid);
    std::snprintf(r.proc.name, sizeof r.proc.name, "%s", name);
    return r;
}

Record to(uint64_t ms, uint32_t from, uint32_t next) {
    Record r = at(ms, kind_switch, next);
    r.sw = SwitchEvent{from, next, switch_quantum, 0};
    return r;
}

Record fault(uint64_t ms, uint32_t pid, uint16_t outcome) {
    Record r = at(ms, kind_fault, pid);
    r.fault = FaultEvent{0x600000, 0x400000, 0x1000, 6, 14, outcome, 0, 0};
    return r;
}

Record exit(uint64_t ms, uint32_t pid, uint32_t kill_reason) {
    Record r = at(ms, kind_exit, pid);
    r.proc.kill_reason = kill_reason;
    r.proc.peak_pages = 2052;
    r.proc.table_pages = 11;
    return r;
}

Record on(uint16_t cpu, Record r) {
    r.cpu = cpu;
    return r;
}

// The JSON log of an EventLog given `records` in order, then asked for its summary.
std::vector<nlohmann::json> logged(std::initializer_list<Record> records) {
    std::string path = ::testing::TempDir() + "event_log_test.jsonl";
    setup_logging("off", path);
    GuestMemory memory(1 << 20);
    EventLog log(memory, khz, "");
    uint64_t seq = 0;
    for (Record r : records) {
        r.seq = seq++;
        log.record(r);
    }
    log.log_summary(0);
    spdlog::default_logger()->flush();
    auto lines = cocoon::test::read_json_lines(path);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("off"));
    std::remove(path.c_str());
    return lines;
}

} // namespace

TEST(EventLog, SummaryCountsCpuTimeFaultsAndTheKernelsPageCounts) {
    auto lines = logged({spawn(0, 1, "heapgrow"), spawn(0, 2, "spin"), to(10, 0, 1), fault(12, 1, outcome_demand_zero),
                         fault(13, 1, outcome_demand_zero), fault(14, 1, outcome_stack_growth), to(20, 1, 2),
                         to(50, 2, 1), exit(55, 1, kill_none), to(70, 1, 2), exit(75, 2, kill_write_code)});

    auto heapgrow = cocoon::test::summary(lines, "process", "heapgrow#1");
    ASSERT_FALSE(heapgrow.is_null());
    EXPECT_DOUBLE_EQ(heapgrow["cpu_ms"].get<double>(), 10.0 + 5.0);  // 10-20, then 50 to its exit at 55
    EXPECT_EQ(heapgrow["scheduled"], 2);
    EXPECT_EQ(heapgrow["demand_zero"], 2);
    EXPECT_EQ(heapgrow["stack_growth"], 1);
    EXPECT_EQ(heapgrow["peak_pages"], 2052);
    EXPECT_EQ(heapgrow["table_pages"], 11);
    EXPECT_EQ(heapgrow["ended"], "exit 0");
    auto spin = cocoon::test::summary(lines, "process", "spin#2");
    EXPECT_DOUBLE_EQ(spin["cpu_ms"].get<double>(), 30.0 + 5.0);
    EXPECT_EQ(spin["ended"], "killed: write to read-only page");
    auto trace = cocoon::test::summary(lines, "trace");
    EXPECT_EQ(trace["records"], 11);
    EXPECT_EQ(trace["switches"], 4);
    EXPECT_DOUBLE_EQ(trace["no_process_ms"].get<double>(), 10.0 + 15.0);  // before the first run; reaping heapgrow
    // Faults that supplied pages: one line per run of them, one process and one kind at a time.
    std::vector<std::string> bursts;
    for (const auto& l : lines)
        if (l.contains("burst")) bursts.push_back(l["msg"].get<std::string>());
    ASSERT_EQ(bursts.size(), 2u);
    EXPECT_EQ(bursts[0], "t=12.000ms faults heapgrow#1: 2 heap pages supplied on first touch in 0x600000–0x600fff over 1.000ms");
    EXPECT_EQ(bursts[1], "t=14.000ms faults heapgrow#1: 1 stack page grown in 0x600000–0x600fff over 0.000ms");
    // Every record became one line carrying its fields, whatever the console's level.
    EXPECT_EQ(cocoon::test::trace_records(lines).size(), 11u);
}

// A key's echo, timed on the host, lands on the trace's time line through the anchor.
TEST(EventLog, AnEchoTakesItsPlaceAmongTheRecords) {
    std::string path = ::testing::TempDir() + "event_log_echo.jsonl";
    std::string timeline = ::testing::TempDir() + "event_log_echo.json";
    setup_logging("off", path);
    GuestMemory memory(1 << 20);
    EventLog log(memory, khz, "");
    log.keep_timeline(timeline, "");
    HostTime anchor_time = HostTime{} + std::chrono::seconds(1);
    log.anchor_host_clock({anchor_time, 10 * khz});  // the guest's TSC read 10 ms then
    log.record(spawn(0, 1, "sh"));
    log.record_echo({'a', anchor_time + std::chrono::milliseconds(5), anchor_time + std::chrono::milliseconds(7)});
    log.write_timeline();
    spdlog::default_logger()->flush();
    auto lines = cocoon::test::read_json_lines(path);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("off"));
    std::remove(path.c_str());

    nlohmann::json echo;
    for (const auto& line : lines)
        if (line.value("kind", "") == "echo") echo = line;
    ASSERT_FALSE(echo.is_null());
    EXPECT_EQ(echo["key"], "'a'");
    EXPECT_EQ(echo["byte"], 'a');
    EXPECT_EQ(echo["t_ns"], 15000000);
    EXPECT_EQ(echo["latency_ns"], 2000000);
    EXPECT_EQ(echo["msg"], "t=15.000ms echo of 'a' after 2.000ms");
    std::ifstream in(timeline);
    nlohmann::json trace = nlohmann::json::parse(in);
    std::vector<int64_t> ts;
    for (const auto& e : trace["traceEvents"])
        if (e["name"] == "echo") ts.push_back(e["ts"]);
    EXPECT_EQ(ts, (std::vector<int64_t>{15000, 17000}));
    std::remove(timeline.c_str());
}

// Each CPU runs its own process: the two are charged at the same time, each for its own
// stint, and a CPU with no process adds to the time with none.
TEST(EventLog, CpuTimeIsCountedPerCpu) {
    auto lines = logged({spawn(0, 1, "heapgrow"), spawn(0, 2, "spin"), on(0, to(10, 0, 1)), on(1, to(20, 0, 2)),
                         on(0, exit(30, 1, kill_none)), on(1, to(40, 2, 0)), on(7, to(45, 0, 2)), on(7, to(50, 2, 0))});

    EXPECT_DOUBLE_EQ(cocoon::test::summary(lines, "process", "heapgrow#1")["cpu_ms"].get<double>(), 20.0);
    EXPECT_DOUBLE_EQ(cocoon::test::summary(lines, "process", "spin#2")["cpu_ms"].get<double>(), 20.0 + 5.0);
    // CPU 0: 0-10 and 30 to the end at 50; CPU 1 from its first switch: 40-50; CPU 7: none.
    EXPECT_DOUBLE_EQ(cocoon::test::summary(lines, "trace")["no_process_ms"].get<double>(), 10.0 + 20.0 + 10.0);
}

// --maps-out makes its folder, and the map of each exit is there at the end.
TEST(EventLog, MapsGoToAFolderMadeIfMissing) {
    std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "event_log_maps" / "deeper";
    std::filesystem::remove_all(dir.parent_path());
    GuestMemory memory(1 << 20);
    EventLog log(memory, khz, dir.string());
    Record gone = exit(5, 3, kill_none);
    gone.proc.cr3 = 0x1000;  // an empty root table: nothing mapped
    gone.seq = 1;
    Record born = spawn(0, 3, "hello");
    log.record(born);
    log.record(gone);
    log.write_maps();
    EXPECT_TRUE(std::filesystem::exists(dir / "hello-3.txt"));
    EXPECT_TRUE(std::filesystem::exists(dir / "hello-3.svg"));
    std::filesystem::remove_all(dir.parent_path());
}

// A guest chooses every byte of a name: 0xFF made the timeline's JSON writer throw (and
// cocoon abort), ESC reached the terminal, '/' led the map out of its folder. Every
// output carries the name as guest_text: printable, valid UTF-8, \xHH for the rest.
TEST(EventLog, ANameOfAnyBytesLeavesEveryOutputValidAndPrintable) {
    namespace fs = std::filesystem;
    fs::path dir = fs::path(::testing::TempDir()) / "event_log_hostile_name";
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::string json_log = (dir / "log.jsonl").string(), json_timeline = (dir / "run.json").string(),
                svg_timeline = (dir / "run.svg").string();
    const std::string shown = "a\\xFF/\\x1B[2J\\x0A\\xC0";  // as cocoon writes "a\xFF/\x1B[2J\n\xC0"
    ::testing::internal::CaptureStderr();  // first: the console sink colours only a terminal
    setup_logging("debug", json_log);
    {
        GuestMemory memory(1 << 20);
        EventLog log(memory, khz, (dir / "maps").string());
        log.keep_timeline(json_timeline, svg_timeline);
        Record born = spawn(0, 1, "a\xff/\x1b[2J\n\xc0");
        Record gone = exit(5, 1, kill_none);
        gone.proc.cr3 = 0x1000;  // an empty root table
        uint64_t seq = 0;
        for (Record r : {born, to(1, 0, 1), fault(2, 1, outcome_demand_zero), gone}) {
            r.seq = seq++;
            log.record(r);
        }
        log.log_summary(0);
        EXPECT_NO_THROW(log.write_timeline());
        log.write_maps();
    }
    spdlog::default_logger()->flush();
    std::string console = ::testing::internal::GetCapturedStderr();
    auto lines = cocoon::test::read_json_lines(json_log);  // throws on a line that is not JSON
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("off"));

    auto slurp = [](const fs::path& path) {
        std::ifstream in(path, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    // Printable: no byte the guest wrote is there raw, nor any other control character.
    auto expect_printable = [&](const std::string& text, const char* what) {
        EXPECT_EQ(text.find('\xff'), std::string::npos) << what;
        EXPECT_EQ(text.find('\x1b'), std::string::npos) << what;
        EXPECT_EQ(text.find('\xc0'), std::string::npos) << what;
        EXPECT_NO_THROW((void)nlohmann::json(text).dump()) << what << ": not valid UTF-8";
    };

    // The console: the lines with the name, escaped.
    expect_printable(console, "console");
    EXPECT_NE(console.find("spawn " + shown + "#1 "), std::string::npos) << console;
    EXPECT_NE(console.find("exit " + shown + "#1 (exit 0)"), std::string::npos) << console;

    // The JSON log: the spawn's name field and every line naming the process.
    expect_printable(slurp(json_log), "JSON log");
    auto records = cocoon::test::trace_records(lines);
    ASSERT_EQ(records.size(), 4u);
    EXPECT_EQ(records[0]["name"], shown);
    EXPECT_EQ(records[1]["to_name"], shown + "#1");
    EXPECT_EQ(records[3]["process"], shown + "#1");
    EXPECT_EQ(cocoon::test::summary(lines, "process", shown + "#1")["ended"], "exit 0");

    // The timeline: strict JSON (nlohmann's parser refuses invalid UTF-8), the track named.
    std::string timeline = slurp(json_timeline);
    expect_printable(timeline, "timeline");
    nlohmann::json trace = nlohmann::json::parse(timeline);
    bool named = false;
    for (const auto& e : trace["traceEvents"])
        named |= e["name"] == "thread_name" && e["args"]["name"] == shown + "#1";
    EXPECT_TRUE(named) << timeline;

    // The SVG: valid UTF-8, the name as text (its '/' needs no XML escape).
    std::string svg = slurp(svg_timeline);
    expect_printable(svg, "SVG");
    EXPECT_NE(svg.find(">" + shown + "#1<"), std::string::npos) << svg;

    // The maps: inside their folder, the name's '/' and '\' made '_'.
    EXPECT_TRUE(fs::exists(dir / "maps" / "a_xFF__x1B_2J_x0A_xC0-1.txt"));
    std::string map = slurp(dir / "maps" / "a_xFF__x1B_2J_x0A_xC0-1.svg");
    expect_printable(map, "map SVG");
    EXPECT_NE(map.find(shown + "#1"), std::string::npos);
    EXPECT_EQ(std::distance(fs::directory_iterator(dir / "maps"), fs::directory_iterator()), 2);
    fs::remove_all(dir);
}
