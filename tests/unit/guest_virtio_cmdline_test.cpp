// The kernel's reading of `virtio_mmio.device=` entries, as cocoon and Linux write them.
#include <gtest/gtest.h>

#include "kernel/drivers/virtio_mmio_cmdline.h"

using kernel::drivers::MmioWindow;
using kernel::drivers::parse_virtio_mmio_devices;

TEST(GuestVirtioCmdline, FindsEveryDeviceInOrder) {
    MmioWindow w[kernel::drivers::max_mmio_windows];
    int n = parse_virtio_mmio_devices(
        "init=hello virtio_mmio.device=512@0xd0000000:5 quantum_ms=5 virtio_mmio.device=4K@0xd0001000:6:3", w);
    ASSERT_EQ(n, 2);
    EXPECT_EQ(w[0].base, 0xd0000000u);
    EXPECT_EQ(w[0].size, 512u);
    EXPECT_EQ(w[0].irq, 5u);
    EXPECT_EQ(w[1].base, 0xd0001000u);
    EXPECT_EQ(w[1].size, 4096u);  // K suffix; the trailing ":<id>" Linux allows is accepted
    EXPECT_EQ(w[1].irq, 6u);
}

TEST(GuestVirtioCmdline, MalformedEntriesAreSkipped) {
    MmioWindow w[kernel::drivers::max_mmio_windows];
    const char* bad[] = {
        "virtio_mmio.device=",                        // empty
        "virtio_mmio.device=512@:5",                  // no base
        "virtio_mmio.device=512@0xd0000000",          // no irq
        "virtio_mmio.device=0@0xd0000000:5",          // no size
        "virtio_mmio.device=512@0xd0000000:300",      // irq out of range
        "virtio_mmio.device=512@0x1ffffffffffffffff:5",  // overflow
        "virtio_mmio.device=512@0xd0000000:5x",       // trailing garbage
        "xvirtio_mmio.device=512@0xd0000000:5",       // another key
    };
    for (const char* cmdline : bad) EXPECT_EQ(parse_virtio_mmio_devices(cmdline, w), 0) << cmdline;
}

TEST(GuestVirtioCmdline, AtMostEightDevices) {
    MmioWindow w[kernel::drivers::max_mmio_windows];
    std::string cmdline;
    for (int i = 0; i < 12; ++i) cmdline += "virtio_mmio.device=512@" + std::to_string(0xd0000000u + i * 0x1000) + ":5 ";
    EXPECT_EQ(parse_virtio_mmio_devices(cmdline.c_str(), w), 8);
}
