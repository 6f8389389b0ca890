// usertests on real KVM (guest/programs/usertests/): attacks and mistakes from user
// mode, each reported by the program as one line. All must pass; each child the
// kernel killed must also be in cocoon's log with the reason the case expected; the
// kernel must keep running and get every frame back.
#include <map>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "support/run_cocoon.h"

using cocoon::test::build_path;
using cocoon::test::run_cocoon;

namespace {

const cocoon::test::CocoonRun& usertests() {
    // Debug: cocoon's frames lines. The disk: the pointer cases for disk_read/disk_write.
    static const cocoon::test::CocoonRun run = cocoon::test::run_cocoon_once(
        build_path("tests/kvm/usertests"),
        {"run", "--disk", build_path("guest/programs.tar") + ",ro", "--cmdline", "init=usertests", "--log-level", "debug",
         "--timeout", "600"},
        std::chrono::seconds(600), 0);
    return run;
}

std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
    std::vector<std::string> found;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(prefix, 0) == 0) found.push_back(line);
    return found;
}

// What cocoon's log says after `marker` (e.g. "fault ut_child#") on each such line, by
// the pid that follows the marker: the text after `then`. The log is large: plain
// string search, not a regex over all of it.
std::map<std::string, std::string> by_pid(const std::string& log, const std::string& marker, const std::string& then) {
    std::map<std::string, std::string> found;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);) {
        size_t at = line.find(marker), after = line.find(then);
        if (at == std::string::npos || after == std::string::npos) continue;
        at += marker.size();
        found[line.substr(at, line.find_first_not_of("0123456789", at) - at)] = line.substr(after + then.size());
    }
    return found;
}

TEST(UserTests, EveryCasePasses) {
    COCOON_REQUIRE_KVM();
    const auto& run = usertests();
    EXPECT_EQ(run.status, 0) << run.out;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(run.out, m, std::regex("\nusertests: ([0-9]+) of ([0-9]+) passed\n"))) << run.out;
    EXPECT_EQ(m[1], m[2]) << run.out;
    EXPECT_GE(std::stoi(m[2]), 40);
    EXPECT_EQ(run.out.find("FAILED"), std::string::npos) << run.out;
    EXPECT_EQ(run.out.find("PANIC"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("[kernel] all processes have exited; powering off"), std::string::npos);
}

// Each process's lines come through whole, though children are killed around them.
TEST(UserTests, OutputLinesAreIntact) {
    COCOON_REQUIRE_KVM();
    const auto& run = usertests();
    std::regex verdict("usertests: .+: (ok|FAILED \\(.*\\))|usertests: [0-9]+ of [0-9]+ passed");
    size_t cases = 0;
    for (const auto& line : lines_starting(run.out, "usertests: ")) {
        EXPECT_TRUE(std::regex_match(line, verdict)) << line;
        cases += line.find(": ok") != std::string::npos;
    }
    EXPECT_GE(cases, 40u);
    std::regex child("ut_child pid=[0-9]+: [a-z0-9-]+(: [0-9]+ bad words after 10 rounds)?");
    for (const auto& line : lines_starting(run.out, "ut_child"))
        EXPECT_TRUE(std::regex_match(line, child)) << line;
    EXPECT_NE(run.out.find(": bystander: 0 bad words after 10 rounds\n"), std::string::npos) << run.out;
}

// "usertests: MISDEED killed (REASON[ or REASON]): ok" means wait reported the reason;
// cocoon must have logged the same for every child that did MISDEED.
TEST(UserTests, EachKillIsLoggedWithItsReason) {
    COCOON_REQUIRE_KVM();
    const auto& run = usertests();
    std::regex kill_case("usertests: ([a-z0-9-]+) killed \\((.+)\\): ok");
    auto faults = by_pid(run.err, "fault ut_child#", "→ killed: ");
    auto exits = by_pid(run.err, "exit ut_child#", " (killed: ");
    auto children = lines_starting(run.out, "ut_child pid=");  // "ut_child pid=N: MISDEED"
    size_t cases = 0;
    for (const auto& line : lines_starting(run.out, "usertests: ")) {
        std::smatch c;
        if (!std::regex_match(line, c, kill_case)) continue;
        ++cases;
        std::string misdeed = c[1], reasons = " or " + c[2].str() + " or ";
        size_t seen = 0;
        for (const auto& child : children) {
            size_t colon = child.find(": ");
            if (child.substr(colon + 2) != misdeed) continue;
            ++seen;
            std::string pid = child.substr(13, colon - 13);  // after "ut_child pid="
            ASSERT_TRUE(faults.count(pid)) << misdeed << ": no kill logged for ut_child#" << pid;
            EXPECT_NE(reasons.find(" or " + faults[pid] + " or "), std::string::npos)
                << misdeed << ": ut_child#" << pid << " killed for " << faults[pid] << ", expected " << c[2];
            EXPECT_EQ(exits[pid], faults[pid] + ")") << "the exit line of ut_child#" << pid;
        }
        EXPECT_GT(seen, 0u) << "no ut_child did " << misdeed;
    }
    EXPECT_GE(cases, 40u);
}

// The last frames count, after usertests ended, is the one before it started.
TEST(UserTests, EveryFrameComesBack) {
    COCOON_REQUIRE_KVM();
    std::istringstream in(usertests().err);
    std::string start, end;
    bool spawned = false;
    for (std::string line; std::getline(in, line);) {
        spawned = spawned || line.find(" spawn ") != std::string::npos;
        size_t at = line.find("frames: ");
        if (at == std::string::npos) continue;
        end = line.substr(at + 8, line.find(' ', at + 8) - at - 8);
        if (!spawned) start = end;
    }
    ASSERT_FALSE(start.empty()) << "no frames line before the first spawn";
    EXPECT_EQ(end, start) << "frames leaked";
}

} // namespace
