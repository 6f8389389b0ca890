// The VMM on real KVM with the project's tiny PVH guests: boot to long mode and print,
// exit with a chosen status, triple-fault, touch what nobody owns, spin past --timeout
// and until a signal.
#include <csignal>

#include <gtest/gtest.h>

#include "support/json_log.h"
#include "support/run_cocoon.h"

using cocoon::test::build_path;
using cocoon::test::run_cocoon;

namespace {

std::string guest(const char* name) { return build_path(std::string("tests/kvm/guests/") + name + ".elf"); }

TEST(VmmBoot, PvhGuestReachesLongModeAndPrints) {
    COCOON_REQUIRE_KVM();
    auto run = run_cocoon({"run", "--kernel", guest("hello"), "--timeout", "60"});
    EXPECT_EQ(run.out, "hello from a PVH guest in long mode\n") << run.err;
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_NE(run.err.find("guest wrote 0 to the exit port"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("exits to user space: io"), std::string::npos) << run.err;
}

TEST(VmmBoot, ExitPortValueBecomesTheExitStatus) {
    COCOON_REQUIRE_KVM();
    auto run = run_cocoon({"run", "--kernel", guest("exit42"), "--timeout", "60"});
    EXPECT_EQ(run.status, 42) << run.err;
    EXPECT_NE(run.err.find("guest wrote 42 to the exit port"), std::string::npos) << run.err;
}

TEST(VmmBoot, TripleFaultIsReportedWithRegisters) {
    COCOON_REQUIRE_KVM();
    auto run = run_cocoon({"run", "--kernel", guest("triple_fault"), "--timeout", "60"});
    EXPECT_EQ(run.status, 80) << run.err;
    EXPECT_NE(run.err.find("triple-faulted"), std::string::npos) << run.err;
    for (const char* reg : {"rip=", "rsp=", "cr0=", "cr3=", "cr4=", "efer=", "cs  selector="})
        EXPECT_NE(run.err.find(reg), std::string::npos) << reg << "\n" << run.err;
}

TEST(VmmBoot, UnclaimedPortAndMmioAreLoggedAndTheGuestContinues) {
    COCOON_REQUIRE_KVM();
    auto run = run_cocoon({"run", "--kernel", guest("unclaimed"), "--timeout", "60"});
    EXPECT_EQ(run.out, "unclaimed port and MMIO read as all ones\n") << run.err;
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_NE(run.err.find("unclaimed port write of 1 byte at 0x2f8"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("unclaimed mmio write of 4 bytes at 0xc0000000"), std::string::npos) << run.err;
}

TEST(VmmBoot, SpinningGuestIsStoppedByTimeout) {
    COCOON_REQUIRE_KVM();
    auto run = run_cocoon({"run", "--kernel", guest("spin"), "--timeout", "3"}, std::chrono::seconds(60));
    EXPECT_EQ(run.status, 124) << run.err;
    EXPECT_NE(run.err.find("timed out after 3 s"), std::string::npos) << run.err;
}

// The spinning guest runs with interrupts off (PVH enters it so), never exiting: a
// signal still ends the run, with the summary and the status it names.
TEST(VmmBoot, SpinningGuestIsStoppedBySigtermAndSigint) {
    COCOON_REQUIRE_KVM();
    struct Case {
        int signal, status;
        const char* reason;
    };
    for (Case c : {Case{SIGTERM, 143, "terminated (SIGTERM)"}, Case{SIGINT, 130, "interrupted (SIGINT)"}}) {
        auto run = run_cocoon({"run", "--kernel", guest("spin"), "--timeout", "120"}, std::chrono::seconds(100),
                              cocoon::test::SignalAfter{c.signal, "booting"});
        EXPECT_EQ(run.status, c.status) << run.err;
        EXPECT_NE(run.err.find(std::string(c.reason) + " (exit status " + std::to_string(c.status) + ")"),
                  std::string::npos)
            << run.err;
    }
}

TEST(VmmBoot, JsonLogHasOneObjectPerLine) {
    COCOON_REQUIRE_KVM();
    std::string path = build_path("tests/kvm/vmm_boot_log.json");
    auto run = run_cocoon({"run", "--kernel", guest("unclaimed"), "--timeout", "60", "--log-json", path});
    ASSERT_EQ(run.status, 0) << run.err;
    auto lines = cocoon::test::read_json_lines(path);  // throws on a line that is not one JSON object
    bool saw_unclaimed = false;
    for (const auto& l : lines) {
        ASSERT_TRUE(l.is_object()) << l;
        for (const char* field : {"time", "level", "msg"}) EXPECT_TRUE(l.contains(field)) << l;
        saw_unclaimed |= l.value("msg", "").find("unclaimed port write") != std::string::npos;
    }
    EXPECT_GE(lines.size(), 4u);
    EXPECT_TRUE(saw_unclaimed);
    // The exit counts also come as fields, for tools: this guest touched port 0x2f8 twice.
    auto exits = cocoon::test::summary(lines, "exits");
    ASSERT_FALSE(exits.is_null());
    EXPECT_EQ(exits["by_port"].value("0x2f8", 0), 2) << exits;
}

TEST(VmmBoot, MalformedKernelIsRefusedBeforeAnyVcpuRuns) {
    auto run = run_cocoon({"run", "--kernel", std::string(COCOON_SOURCE_DIR) + "/README.md"});
    EXPECT_EQ(run.status, 65) << run.err;
    EXPECT_NE(run.err.find("kernel: not an ELF file"), std::string::npos) << run.err;
}

} // namespace
