// The same PVH guest boots on QEMU's -M microvm (software emulation) and prints the
// same line as under cocoon: cocoon's boot path matches the PVH spec, not itself.
#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "qemu/run_qemu.h"
#include "support/demo_checks.h"

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

// The kernel and its whole demo on QEMU: programs load from the archive, run in their
// own address spaces, are time-sliced on QEMU's PIT, and are killed for the same
// reasons as under cocoon (tests/kvm/kernel_demo_test.cpp makes the same checks).
TEST(Microvm, KernelRunsTheDemoAsUnderCocoon) {
    std::string guest = std::string(COCOON_BINARY_DIR) + "/guest/";
    auto run = cocoon::test::run_qemu_microvm(guest + "cocoon-kernel.elf", guest + "programs.tar", "");
    cocoon::test::expect_demo_kills(run.out);
    cocoon::test::expect_demo_survivors(run.out);
    cocoon::test::expect_demo_transparency(run.out);
    EXPECT_EQ(run.guest_status, 0);  // every process ended as the demo means it to
}

// The same kernel finds its disk on microvm and loads the programs from it.
TEST(Microvm, KernelLoadsProgramsFromAVirtioBlkDisk) {
    std::string guest = std::string(COCOON_BINARY_DIR) + "/guest/";
    auto run = cocoon::test::run_qemu_microvm(
        guest + "cocoon-kernel.elf", "", std::string("init=hello,transparency,transparency ") + cocoon::test::microvm_disk_cmdline,
        guest + "programs.tar");
    EXPECT_NE(run.out.find("[kernel] disk 0: virtio-blk at feb00e00"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("[kernel] programs from disk 0"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("hello from pid 1\n"), std::string::npos) << run.out;
    cocoon::test::expect_demo_transparency(run.out);
    EXPECT_EQ(run.guest_status, 0);
}

// Swap on microvm: the same kernel, a 16 MiB machine, a swap disk, two programs that
// each fill 16 MiB and read it back.
TEST(Microvm, SwapLetsProgramsUseMoreThanTheMachineHas) {
    std::string guest = std::string(COCOON_BINARY_DIR) + "/guest/";
    std::string swap = std::string(COCOON_BINARY_DIR) + "/tests/qemu/swap.img";
    std::ofstream(swap, std::ios::binary | std::ios::trunc) << std::string(64u << 20, '\0');
    auto run = cocoon::test::run_qemu_microvm(
        guest + "cocoon-kernel.elf", "",
        std::string("init=swapper,swapper,ticker swap=1 ") + cocoon::test::microvm_disk_cmdline + " " +
            cocoon::test::microvm_second_disk_cmdline,
        guest + "programs.tar", swap, "16M", 300);
    EXPECT_NE(run.out.find("[kernel] swap on disk 1: 65536 KiB"), std::string::npos) << run.out;
    size_t verified = 0;
    for (size_t at = 0; (at = run.out.find(": verified 16 MiB, 0 bad words\n", at)) != std::string::npos; ++at) ++verified;
    EXPECT_EQ(verified, 2u) << run.out;
    EXPECT_NE(run.out.find("ticker pid=3: tick 10 at"), std::string::npos) << run.out;
    EXPECT_EQ(run.guest_status, 0) << run.out;
}
