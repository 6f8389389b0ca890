// The kernel's demo on real KVM: one run, then each goal checked in what the programs
// printed, what the kernel reported and what cocoon logged and drew.
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <set>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "support/demo_checks.h"
#include "support/run_cocoon.h"

using cocoon::test::build_path;
using cocoon::test::run_cocoon;

namespace {

struct Demo {
    cocoon::test::CocoonRun run;
    std::string maps = build_path("tests/kvm/demo_maps");
};

const Demo& demo() {
    static Demo d = [] {
        Demo d;
        mkdir(d.maps.c_str(), 0755);
        d.run = run_cocoon({"run", "--timeout", "600", "--log-level", "debug", "--maps-out", d.maps});
        return d;
    }();
    return d;
}

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(KernelDemo, ExitStatusSaysSomeProcessesWereKilled) {
    COCOON_REQUIRE_KVM();
    EXPECT_EQ(demo().run.status, 1) << demo().run.err;
    EXPECT_TRUE(has(demo().run.out, "[kernel] all processes have exited (some failed); powering off"));
}

TEST(KernelDemo, EachFaultKindKillsOnlyItsProcessWithTheRightReason) {
    COCOON_REQUIRE_KVM();
    cocoon::test::expect_demo_kills(demo().run.out);
    for (auto [program, reason] : cocoon::test::demo_kills)
        EXPECT_TRUE(has(demo().run.err, std::string("exit ") + program)) << program;
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
    // The spinners' progress interleaves on the console.
    const std::string& out = demo().run.out;
    auto first_step2 = out.find("step=2");
    auto last_step1 = out.rfind("step=1");
    EXPECT_LT(last_step1, first_step2) << out;
}

TEST(KernelDemo, CocoonLogsFaultsSwitchesAndTheSummary) {
    COCOON_REQUIRE_KVM();
    const std::string& err = demo().run.err;
    EXPECT_TRUE(std::regex_search(err, std::regex("fault writecode#[0-9]+ write to 0x400010 \\(present, user, write\\) "
                                                  "at rip 0x[0-9a-f]+ → killed: write to read-only page")))
        << err;
    EXPECT_TRUE(has(err, "→ demand-zero heap page"));
    EXPECT_TRUE(has(err, "→ stack grows"));
    EXPECT_TRUE(has(err, "records drained"));
    EXPECT_TRUE(has(err, ", 0 lost"));
    // Every frame came back: the last count equals the first.
    std::regex frames("frames: ([0-9]+) free of ([0-9]+)");
    std::vector<std::smatch> counts(std::sregex_iterator(err.begin(), err.end(), frames), std::sregex_iterator());
    ASSERT_GE(counts.size(), 2u);
    EXPECT_EQ(counts.back()[1], counts.back()[2]) << "frames leaked";
}

TEST(KernelDemo, MapsShowOneVirtualPageOnTwoFrames) {
    COCOON_REQUIRE_KVM();
    ASSERT_EQ(demo().run.status, 1);
    std::regex data("data\\+heap +0x0000000000402000 [^\n]* (0x[0-9a-f]+)\n");
    std::vector<std::string> frames;
    for (int pid : {1, 2}) {
        std::string text = slurp(demo().maps + "/transparency-" + std::to_string(pid) + ".txt");
        std::smatch m;
        ASSERT_TRUE(std::regex_search(text, m, data)) << text;
        frames.push_back(m[1]);
        EXPECT_TRUE(has(text, "code       0x0000000000400000")) << text;
        EXPECT_TRUE(has(text, "r-x user")) << text;
        EXPECT_TRUE(has(slurp(demo().maps + "/transparency-" + std::to_string(pid) + ".svg"), "</svg>"));
    }
    EXPECT_NE(frames[0], frames[1]);
}

} // namespace
