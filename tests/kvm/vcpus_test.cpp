// Machines of more than one vCPU (--cpus) on real KVM: cocoon's own kernel, which starts
// only the first (the others wait for an INIT and SIPI it never sends), and the ways a
// run ends, each of which must end every vCPU's thread, the waiting ones too. Debian's
// Linux, which starts them all, is in linux_guest_test.cpp; gdb's threads in gdb_test.cpp.
#include <csignal>

#include <gtest/gtest.h>

#include "support/demo_checks.h"
#include "support/files.h"
#include "support/json_log.h"
#include "support/run_cocoon.h"

using cocoon::test::build_path;
using cocoon::test::contains;
using cocoon::test::run_cocoon;

namespace {

constexpr const char* never_started = "(never started: the guest sent it no INIT and SIPI)";

std::string spin_guest() { return build_path("tests/kvm/guests/spin.elf"); }

TEST(Vcpus, CocoonsKernelRunsTheDemoOnTwoVcpusAndTheSecondWaits) {
    COCOON_REQUIRE_KVM();
    std::string log = build_path("tests/kvm/vcpus_demo_log.jsonl");
    auto run = run_cocoon({"run", "--cpus", "2", "--timeout", "600", "--log-json", log}, std::chrono::seconds(660));
    EXPECT_EQ(run.status, 0) << run.err;
    cocoon::test::expect_demo_kills(run.out);
    cocoon::test::expect_demo_survivors(run.out);
    cocoon::test::expect_demo_transparency(run.out);
    EXPECT_TRUE(contains(run.err, "MiB RAM and 2 vCPUs")) << run.err;
    EXPECT_TRUE(contains(run.err, "vCPU 0: exits to user space: io")) << run.err;
    EXPECT_TRUE(contains(run.err, std::string("vCPU 1: exits to user space: none ") + never_started)) << run.err;
    EXPECT_TRUE(contains(run.err, "vCPU 0: KVM's own count of exits:")) << run.err;
    // The JSON log: the totals, then a line per vCPU with its index.
    auto lines = cocoon::test::read_json_lines(log);
    std::vector<nlohmann::json> per_vcpu;
    for (const auto& line : lines)
        if (line.value("summary", "") == "exits" && line.contains("vcpu")) per_vcpu.push_back(line);
    ASSERT_EQ(per_vcpu.size(), 2u);
    EXPECT_EQ(per_vcpu[0]["vcpu"], 0);
    EXPECT_TRUE(per_vcpu[0]["started"].get<bool>());
    EXPECT_GT(per_vcpu[0]["by_reason"].value("io", 0), 0);
    EXPECT_EQ(per_vcpu[1]["vcpu"], 1);
    EXPECT_FALSE(per_vcpu[1]["started"].get<bool>());
    EXPECT_TRUE(per_vcpu[1]["by_reason"].empty());
    EXPECT_FALSE(cocoon::test::summary(lines, "exits").contains("vcpu")) << "the first is the total";
}

// The spinning guest never leaves KVM_RUN on its own and the other two vCPUs wait for a
// start that never comes: the timeout and each signal still end all three.
TEST(Vcpus, TheTimeoutAndSignalsEndEveryVcpu) {
    COCOON_REQUIRE_KVM();
    auto run = run_cocoon({"run", "--kernel", spin_guest(), "--cpus", "3", "--timeout", "3"}, std::chrono::seconds(60));
    EXPECT_EQ(run.status, 124) << run.err;
    EXPECT_TRUE(contains(run.err, "timed out after 3 s")) << run.err;
    EXPECT_TRUE(contains(run.err, std::string("vCPU 2: exits to user space: none ") + never_started)) << run.err;
    for (auto [signal, status] : {std::pair{SIGTERM, 143}, std::pair{SIGINT, 130}}) {
        auto stopped = run_cocoon({"run", "--kernel", spin_guest(), "--cpus", "3", "--timeout", "120"},
                                  std::chrono::seconds(100), cocoon::test::SignalAfter{signal, "booting"});
        EXPECT_EQ(stopped.status, status) << stopped.err;
        EXPECT_TRUE(contains(stopped.err, "vCPU 1: exits to user space")) << stopped.err;
    }
}

TEST(Vcpus, ACountOutsideOneTo255IsAUsageError) {
    for (const char* count : {"0", "256", "many"}) {
        auto run = run_cocoon({"run", "--cpus", count}, std::chrono::seconds(30));
        EXPECT_EQ(run.status, 64) << count << ": " << run.err;
        EXPECT_TRUE(contains(run.err, "is not a number of CPUs from 1 to 255")) << run.err;
    }
}

} // namespace
