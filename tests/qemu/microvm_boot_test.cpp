// The same PVH guest boots on QEMU's -M microvm (software emulation) and prints the
// same line as under cocoon: cocoon's boot path matches the PVH spec, not itself.
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "qemu/run_qemu.h"

TEST(Microvm, PvhTestGuestPrintsTheSameLine) {
    auto run = cocoon::test::run_qemu_microvm(std::string(COCOON_BINARY_DIR) + "/tests/kvm/guests/hello.elf", "", "");
    EXPECT_EQ(run.out, "hello from a PVH guest in long mode\n");
    EXPECT_EQ(run.guest_status, 0);
}

TEST(Microvm, ExitPortValueMapsAsQemuDocuments) {
    auto run = cocoon::test::run_qemu_microvm(std::string(COCOON_BINARY_DIR) + "/tests/kvm/guests/exit42.elf", "", "");
    EXPECT_EQ(run.qemu_status, (42 << 1) | 1);
    EXPECT_EQ(run.guest_status, 42);
}

// The kernel and its programs on QEMU: programs load from the archive, run in their own
// address spaces and are killed for the same reasons as under cocoon.
TEST(Microvm, KernelRunsProgramsFromTheArchive) {
    std::string guest = std::string(COCOON_BINARY_DIR) + "/guest/";
    auto run = cocoon::test::run_qemu_microvm(guest + "cocoon-kernel.elf", guest + "programs.tar",
                                              "init=hello,writecode,nullderef,recurse");
    EXPECT_NE(run.out.find("hello from pid 1\n"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("[kernel] killed writecode (pid 2): write to read-only page at 400010"), std::string::npos)
        << run.out;
    EXPECT_NE(run.out.find("[kernel] killed nullderef (pid 3): NULL pointer dereference at 0,"), std::string::npos)
        << run.out;
    EXPECT_NE(run.out.find("recurse: depth 10000, odd levels 5000\n"), std::string::npos) << run.out;
    EXPECT_EQ(run.guest_status, 1);  // some processes were killed
}
