// The kernel's demo on real KVM: one run, then each goal checked in what the programs
// printed, what the kernel reported and what cocoon logged and drew.
#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <set>
#include <sys/stat.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/demo_checks.h"
#include "support/files.h"
#include "support/json_log.h"
#include "support/run_cocoon.h"

using cocoon::test::build_path;
using cocoon::test::contains;
using cocoon::test::read_file;
using cocoon::test::run_cocoon;

namespace {

struct Demo {
    cocoon::test::CocoonRun run;
    std::string maps = build_path("tests/kvm/demo/maps");
    std::string timeline = build_path("tests/kvm/demo/timeline.json");
    std::string log = build_path("tests/kvm/demo/log.jsonl");
    std::string picture = build_path("tests/kvm/demo/timeline.svg");
};

// The demo takes minutes under ASan in the nested runner: once per build of cocoon.
const Demo& demo() {
    static Demo d = [] {
        Demo d;
        mkdir(build_path("tests/kvm/demo").c_str(), 0755);
        mkdir(d.maps.c_str(), 0755);
        d.run = cocoon::test::run_cocoon_once(build_path("tests/kvm/demo"),
                                              {"run", "--timeout", "600", "--log-level", "debug", "--maps-out", d.maps,
                                               "--trace-out", d.timeline, "--trace-svg", d.picture, "--log-json", d.log},
                                              std::chrono::seconds(300), 0);
        return d;
    }();
    return d;
}

std::string fmt_pid(const std::string& name, int pid) { return name + "#" + std::to_string(pid); }

// Nine processes are killed, each as the demo means it to be: the run succeeds.
TEST(KernelDemo, ExitStatusSaysEveryProcessEndedAsItShould) {
    COCOON_REQUIRE_KVM();
    EXPECT_EQ(demo().run.status, 0) << demo().run.err;
    EXPECT_TRUE(contains(demo().run.out, "[kernel] all processes have exited; powering off\n")) << demo().run.out;
    EXPECT_FALSE(contains(demo().run.out, "was to be killed")) << demo().run.out;
}

TEST(KernelDemo, EachFaultKindKillsOnlyItsProcessWithTheRightReason) {
    COCOON_REQUIRE_KVM();
    cocoon::test::expect_demo_kills(demo().run.out);
    for (auto [program, reason] : cocoon::test::demo_kills)
        EXPECT_TRUE(contains(demo().run.err, std::string("exit ") + program)) << program;
}

TEST(KernelDemo, SurvivorsFinishWithCorrectOutput) {
    COCOON_REQUIRE_KVM();
    cocoon::test::expect_demo_survivors(demo().run.out);
}

TEST(KernelDemo, TransparencyProcessesSeeTheSameAddressWithDifferentValues) {
    COCOON_REQUIRE_KVM();
    cocoon::test::expect_demo_transparency(demo().run.out);
}

TEST(KernelDemo, SpinnersAreTimeSlicedByTheQuantum) {
    COCOON_REQUIRE_KVM();
    const std::string& err = demo().run.err;
    std::regex sw("switch (spin#[0-9]+) → (spin#[0-9]+) \\(quantum expired\\)");
    std::set<std::pair<std::string, std::string>> pairs;
    for (auto it = std::sregex_iterator(err.begin(), err.end(), sw); it != std::sregex_iterator(); ++it)
        pairs.insert({(*it)[1], (*it)[2]});
    EXPECT_GE(pairs.size(), 2u) << "preemptions between spinners: " << pairs.size();
    // The spinners' progress interleaves on the console: between each spinner's first
    // and last line another spinner got to print (no spinner ran start to end alone).
    const std::string& out = demo().run.out;
    std::regex line("spin pid=([0-9]+) step=[0-9]\n");
    std::vector<std::string> order;
    for (auto it = std::sregex_iterator(out.begin(), out.end(), line); it != std::sregex_iterator(); ++it)
        order.push_back((*it)[1]);
    ASSERT_EQ(order.size(), 15u) << out;
    for (const std::string& pid : std::set<std::string>(order.begin(), order.end())) {
        auto first = std::find(order.begin(), order.end(), pid);
        auto last = std::find(order.rbegin(), order.rend(), pid).base() - 1;
        EXPECT_TRUE(std::any_of(first, last, [&](const std::string& other) { return other != pid; }))
            << "spin pid=" << pid << " ran from its first step to its last alone\n" << out;
    }
}

TEST(KernelDemo, CocoonLogsFaultsSwitchesAndTheSummary) {
    COCOON_REQUIRE_KVM();
    const std::string& err = demo().run.err;
    EXPECT_TRUE(std::regex_search(err, std::regex("fault writecode#[0-9]+ write to 0x400010 "
                                                  "\\(code page r-x; present, user, write\\) "
                                                  "at rip 0x[0-9a-f]+ → killed: write to read-only page")))
        << err;
    // What the address was, from cocoon's own walk of the tables the process died with.
    EXPECT_TRUE(std::regex_search(err, std::regex("fault execdata#[0-9]+ fetch from 0x[0-9a-f]+ \\(data page rw-;")))
        << err;
    EXPECT_TRUE(std::regex_search(err, std::regex("fault execstack#[0-9]+ fetch from 0x7ffffff[0-9a-f]+ \\(stack page rw-;")))
        << err;
    EXPECT_TRUE(contains(err, "read of 0x0 (not mapped; not present, user, read)")) << err;
    EXPECT_TRUE(std::regex_search(err, std::regex("fault kernelread#[0-9]+ read of 0xffff[0-9a-f]+ \\(kernel page;")))
        << err;
    EXPECT_TRUE(contains(err, "→ demand-zero heap page"));
    EXPECT_TRUE(contains(err, "→ stack grows"));
    EXPECT_TRUE(contains(err, "records drained"));
    EXPECT_TRUE(contains(err, ", 0 lost"));
    // Every frame came back: the last count equals the first.
    std::regex frames("frames: ([0-9]+) free of ([0-9]+)");
    std::vector<std::smatch> counts(std::sregex_iterator(err.begin(), err.end(), frames), std::sregex_iterator());
    ASSERT_GE(counts.size(), 2u);
    EXPECT_EQ(counts.back()[1], counts.back()[2]) << "frames leaked";
}

TEST(KernelDemo, MapsShowOneVirtualPageOnTwoFrames) {
    COCOON_REQUIRE_KVM();
    ASSERT_EQ(demo().run.status, 0);
    std::regex data("data\\+heap +0x0000000000402000 [^\n]* (0x[0-9a-f]+)\n");
    std::vector<std::string> frames;
    for (int pid : {1, 2}) {
        std::string text = read_file(demo().maps + "/transparency-" + std::to_string(pid) + ".txt");
        std::smatch m;
        ASSERT_TRUE(std::regex_search(text, m, data)) << text;
        frames.push_back(m[1]);
        EXPECT_TRUE(contains(text, "code       0x0000000000400000")) << text;
        EXPECT_TRUE(contains(text, "r-x user")) << text;
        EXPECT_TRUE(contains(read_file(demo().maps + "/transparency-" + std::to_string(pid) + ".svg"), "</svg>"));
    }
    EXPECT_NE(frames[0], frames[1]);
}

// The timeline opens in Perfetto: valid JSON, the fields the format requires, one
// track per process, spans that never overlap on the one CPU, the same spans on the
// CPU's track, the kills as instants.
TEST(KernelDemo, TimelineHasATrackPerProcessWithoutOverlapsAndTheKills) {
    COCOON_REQUIRE_KVM();
    ASSERT_EQ(demo().run.status, 0);
    auto json = nlohmann::json::parse(read_file(demo().timeline));
    std::vector<std::pair<int64_t, int64_t>> spans, cpu_spans;
    std::set<std::string> tracks, cpu_tracks, kills;
    size_t counters = 0;
    for (const auto& e : json.at("traceEvents")) {
        std::string ph = e.at("ph");
        ASSERT_TRUE(e.contains("name") && e.contains("pid")) << e;
        bool of_a_cpu = e["pid"] == 2;  // the group of CPU tracks
        if (ph == "X") {
            int64_t ts = e.at("ts"), dur = e.at("dur");
            ASSERT_GE(dur, 0);
            (of_a_cpu ? cpu_spans : spans).push_back({ts, ts + dur});
        }
        if (ph == "M" && e["name"] == "thread_name") (of_a_cpu ? cpu_tracks : tracks).insert(e["args"]["name"]);
        if (ph == "i" && std::string(e["name"]).rfind("killed: ", 0) == 0) kills.insert(e["name"]);
        counters += ph == "C";
    }
    EXPECT_EQ(tracks.size(), 17u);  // every program of the demo
    EXPECT_TRUE(tracks.count("transparency#1")) << json.dump().substr(0, 2000);
    EXPECT_TRUE(kills.count("killed: write to read-only page"));
    EXPECT_TRUE(kills.count("killed: NULL pointer dereference"));
    EXPECT_GT(counters, 0u);
    // The picture of the same timeline: a lane per process, a bar per span.
    std::string svg = read_file(demo().picture);
    for (const auto& track : tracks) EXPECT_TRUE(contains(svg, ">" + track + "<")) << track;
    EXPECT_TRUE(contains(svg, "class='kill'"));
    std::sort(spans.begin(), spans.end());
    ASSERT_GT(spans.size(), 17u);
    for (size_t i = 1; i < spans.size(); ++i) EXPECT_LE(spans[i - 1].second, spans[i].first) << i;
    EXPECT_EQ(cpu_tracks, std::set<std::string>{"CPU 0"});
    std::sort(cpu_spans.begin(), cpu_spans.end());
    EXPECT_EQ(cpu_spans, spans);
    EXPECT_TRUE(contains(svg, ">CPU 0<"));
}

// The JSON log tells the same story as the console and the maps: every record once and
// in order; each kill the kernel printed has its fault with the same reason and
// address; each switch's "to" is the process the next switch takes the CPU from; the
// summary's counts match the records, and its page-table pages (the kernel's count)
// match cocoon's own walk of the tables in the maps.
TEST(KernelDemo, JsonLogAgreesWithTheConsoleAndTheMaps) {
    COCOON_REQUIRE_KVM();
    ASSERT_EQ(demo().run.status, 0);
    auto lines = cocoon::test::read_json_lines(demo().log);
    auto records = cocoon::test::trace_records(lines);
    ASSERT_GT(records.size(), 100u);
    std::map<int, size_t> switches_to;
    const nlohmann::json* last_switch = nullptr;
    for (size_t i = 0; i < records.size(); ++i) {
        const auto& r = records[i];
        ASSERT_EQ(r["seq"].get<size_t>(), i);
        for (const char* field : {"t_ns", "tsc", "cpu", "kind", "pid", "msg", "level"}) ASSERT_TRUE(r.contains(field)) << r;
        if (r["kind"] != "switch") continue;
        if (last_switch) {
            EXPECT_EQ(r["from"], (*last_switch)["to"]) << *last_switch << "\n" << r;
        }
        last_switch = &r;
        ++switches_to[r["to"].get<int>()];
    }

    const std::string& out = demo().run.out;
    std::regex kill("\\[kernel\\] killed (\\w+) \\(pid ([0-9]+)\\): ([^\n]*)");
    size_t kills = 0;
    for (auto it = std::sregex_iterator(out.begin(), out.end(), kill); it != std::sregex_iterator(); ++it, ++kills) {
        int pid = std::stoi((*it)[2]);
        std::string said = (*it)[3];
        auto fault = std::find_if(records.begin(), records.end(), [&](const nlohmann::json& r) {
            return r["kind"] == "fault" && r["pid"] == pid && r["outcome"] == "killed";
        });
        ASSERT_NE(fault, records.end()) << "no fault record for " << (*it)[0];
        EXPECT_EQ(said.rfind((*fault)["kill_reason"].get<std::string>(), 0), 0u) << said << " vs " << *fault;
        if ((*fault)["vector"] == 14) {
            EXPECT_TRUE(fault->contains("page")) << *fault;  // cocoon's own look at the address
        }
        std::smatch at;
        if (std::regex_search(said, at, std::regex(" at ([0-9a-f]+), rip ([0-9a-f]+)"))) {
            EXPECT_EQ((*fault)["address"], "0x" + at[1].str()) << said << " vs " << *fault;
        }
        EXPECT_EQ(cocoon::test::summary(lines, "process", fmt_pid((*it)[1], pid))["ended"],
                  "killed: " + (*fault)["kill_reason"].get<std::string>());
    }
    EXPECT_EQ(kills, 9u);

    for (int pid = 1; pid <= 17; ++pid) {
        auto row = std::find_if(lines.begin(), lines.end(), [&](const nlohmann::json& l) {
            return l.value("summary", "") == "process" && l["pid"] == pid;
        });
        ASSERT_NE(row, lines.end()) << "no summary row for pid " << pid;
        EXPECT_EQ((*row)["scheduled"].get<size_t>(), switches_to[pid]) << *row;
        // The info lines that gather a run of faults add up to the faults of each kind.
        std::map<std::string, uint64_t> gathered;
        for (const auto& l : lines)
            if (l.contains("burst") && l["pid"] == pid) gathered[l["burst"]] += l["faults"].get<uint64_t>();
        EXPECT_EQ(gathered["demand-zero"], (*row)["demand_zero"].get<uint64_t>()) << *row;
        EXPECT_EQ(gathered["stack growth"], (*row)["stack_growth"].get<uint64_t>()) << *row;
        EXPECT_GT((*row)["cpu_ms"].get<double>(), 0.0) << *row;
        std::string name = (*row)["process"].get<std::string>();
        std::string map = read_file(demo().maps + "/" + name.substr(0, name.find('#')) + "-" + std::to_string(pid) + ".txt");
        std::smatch own;
        ASSERT_TRUE(std::regex_search(map, own, std::regex("\\(([0-9]+) of its own"))) << map;
        EXPECT_EQ((*row)["table_pages"].get<int>(), std::stoi(own[1])) << name << ": kernel's count vs cocoon's walk";
    }
    auto heapgrow = cocoon::test::summary(lines, "process", "heapgrow#6");
    EXPECT_GE(heapgrow["peak_pages"].get<int>(), 2048) << heapgrow;  // 8 MiB of heap
    EXPECT_EQ(cocoon::test::summary(lines, "trace")["lost"], 0);
}

// KVM's own count of the vCPU's exits agrees with cocoon's: every MMIO exit KVM sent to
// user space reached cocoon, port I/O exits are at least those that did (KVM completes
// the in-kernel PIC's and the ioeventfds' itself), and all exits outnumber both.
TEST(KernelDemo, KvmsCountOfExitsAgreesWithCocoons) {
    COCOON_REQUIRE_KVM();
    auto lines = cocoon::test::read_json_lines(demo().log);
    auto cocoons = cocoon::test::summary(lines, "exits")["by_reason"];
    auto kvms = cocoon::test::summary(lines, "kvm")["counters"];
    ASSERT_TRUE(kvms.contains("exits")) << "no KVM statistics in the log";
    EXPECT_EQ(kvms["mmio_exits"], cocoons.value("mmio", 0));
    EXPECT_GE(kvms["io_exits"].get<uint64_t>(), cocoons.value("io", uint64_t{0}));
    EXPECT_GT(kvms["exits"].get<uint64_t>(), kvms["io_exits"].get<uint64_t>() + kvms["mmio_exits"].get<uint64_t>());
}

} // namespace

