// The multiprogramming demo: an I/O-bound job and CPU-bound ones one after another,
// then all together. Together the CPU-bound jobs run while the I/O-bound one waits, so
// the CPU is busier; the figures come from the kernel's own idle time.
#include <regex>

#include <gtest/gtest.h>

#include "support/run_cocoon.h"

namespace {

struct Way {
    int ms = -1, busy_percent = -1;
};

Way way(const std::string& out, const std::string& name) {
    std::smatch m;
    if (!std::regex_search(out, m, std::regex("multiprog: " + name + " +([0-9]+) ms, CPU busy ([0-9]+)%\n"))) return {};
    return {std::stoi(m[1]), std::stoi(m[2])};
}

void expect_busier_together(const std::string& scheduler) {
    auto run = cocoon::test::run_cocoon(
        {"run", "--timeout", "240", "--cmdline", "init=multiprog sched=" + scheduler}, std::chrono::seconds(300));
    EXPECT_EQ(run.status, 0) << run.out << run.err;
    EXPECT_NE(run.out.find("scheduler " + scheduler + ", quantum 10 ms\n"), std::string::npos) << run.out;
    Way apart = way(run.out, "one after another:"), together = way(run.out, "all together:");
    ASSERT_GE(apart.ms, 0) << run.out;
    ASSERT_GE(together.ms, 0) << run.out;
    // The I/O-bound job's waits leave the CPU idle when it runs alone: what the
    // comparison rests on, not on how long anything took.
    EXPECT_GT(together.busy_percent, apart.busy_percent) << run.out;
}

TEST(Multiprogramming, TheCpuIsBusierWithTheJobsTogetherUnderRoundRobin) {
    COCOON_REQUIRE_KVM();
    expect_busier_together("rr");
}

TEST(Multiprogramming, TheCpuIsBusierWithTheJobsTogetherWhenTheWakerGoesFirst) {
    COCOON_REQUIRE_KVM();
    expect_busier_together("waker");
}

TEST(Multiprogramming, ASchedulerNobodyKnowsIsABootError) {
    COCOON_REQUIRE_KVM();
    auto run = cocoon::test::run_cocoon({"run", "--timeout", "60", "--cmdline", "init=hello sched=fifo"},
                                        std::chrono::seconds(120));
    EXPECT_EQ(run.status, 3) << run.out;  // guest_status::boot_failed
    EXPECT_NE(run.out.find("[kernel] boot failed: sched= names no scheduler (rr, waker)"), std::string::npos) << run.out;
}

} // namespace
