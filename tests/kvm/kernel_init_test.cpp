// What init= asks of the kernel and how the run ends: a program that cannot be started
// fails the run, naming the programs there are; a program started to show a kill
// ("name!word") fails it by ending any other way.
#include <string>

#include <gtest/gtest.h>

#include "support/run_cocoon.h"

namespace {

cocoon::test::CocoonRun run_init(const std::string& init) {
    return cocoon::test::run_cocoon({"run", "--timeout", "300", "--cmdline", "init=" + init},
                                    std::chrono::seconds(360));
}

TEST(KernelInit, AProgramThatIsNotThereFailsTheRunAndTheArchiveIsListed) {
    COCOON_REQUIRE_KVM();
    auto run = run_init("hello,nosuch");
    EXPECT_EQ(run.status, 1) << run.err;
    const std::string report = "[kernel] cannot start nosuch: no such program (error 2); the archive holds: ";
    size_t at = run.out.find(report);
    ASSERT_NE(at, std::string::npos) << run.out;
    std::string programs = run.out.substr(at + report.size(), run.out.find('\n', at) - at - report.size());
    for (const char* program : {"hello", "spin", "nullderef", "usertests"})
        EXPECT_NE((", " + programs + ",").find(std::string(", ") + program + ","), std::string::npos) << programs;
    EXPECT_NE(run.out.find("hello from pid 1\n"), std::string::npos) << run.out;  // the others still run
    EXPECT_NE(run.out.find("all processes have exited (some failed)"), std::string::npos) << run.out;
}

// The run of `init` ends with `status`, and its console says `line`.
void expect_end(const std::string& init, int status, const std::string& line) {
    auto run = run_init(init);
    EXPECT_EQ(run.status, status) << init << ":\n" << run.out;
    EXPECT_NE(run.out.find(line), std::string::npos) << init << ":\n" << run.out;
}

TEST(KernelInit, AProgramKilledAsExpectedSucceeds) {
    COCOON_REQUIRE_KVM();
    expect_end("nullderef!null,hello", 0, "[kernel] killed nullderef (pid 1): NULL pointer dereference");
}

TEST(KernelInit, AProgramThatWasToBeKilledButWasNotFailsTheRunWithTheReason) {
    COCOON_REQUIRE_KVM();
    expect_end("hello!null", 1, "[kernel] hello (pid 1) was to be killed for NULL pointer dereference, and exited 0");
    expect_end("divzero!null", 1,
               "[kernel] divzero (pid 1) was to be killed for NULL pointer dereference, and was killed for divide error");
}

TEST(KernelInit, AWordThatNamesNoKillFailsTheRun) {
    COCOON_REQUIRE_KVM();
    expect_end("hello!bogus", 1, "[kernel] cannot start hello: 'bogus' names no kill reason");
}

// Plain init= keeps its rule: a kill is a failure.
TEST(KernelInit, AKillNobodyExpectedFailsTheRun) {
    COCOON_REQUIRE_KVM();
    expect_end("nullderef", 1, "[kernel] all processes have exited (some failed)");
}

} // namespace
