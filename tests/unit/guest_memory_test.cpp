#include "vmm/memory/guest_memory.h"

#include <gtest/gtest.h>

using cocoon::vmm::GuestMemory;

TEST(GuestMemory, SpanInsideRamIsGranted) {
    GuestMemory mem(1 << 20);
    auto s = mem.span(0x1000, 0x2000);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->data(), mem.host_base() + 0x1000);
    EXPECT_EQ(s->size(), 0x2000u);
    EXPECT_TRUE(mem.span(0, 1 << 20));
    EXPECT_TRUE(mem.span(1 << 20, 0));
}

TEST(GuestMemory, RangesOutsideRamAreRefused) {
    GuestMemory mem(1 << 20);
    EXPECT_FALSE(mem.span((1 << 20) - 4, 8));
    EXPECT_FALSE(mem.span(1 << 20, 1));
    EXPECT_FALSE(mem.span(UINT64_MAX, 2));
    EXPECT_FALSE(mem.span(0x1000, UINT64_MAX));  // gpa + len wraps
    EXPECT_FALSE(mem.span((1ull << 63), 1ull << 63));
}

TEST(GuestMemory, TypedAccessRoundTripsAndRefusesOutOfRange) {
    GuestMemory mem(4096);
    EXPECT_TRUE(mem.write<uint64_t>(8, 0x1122334455667788ull));
    EXPECT_EQ(mem.read<uint64_t>(8), 0x1122334455667788ull);
    EXPECT_EQ(mem.read<uint32_t>(8), 0x55667788u);
    EXPECT_FALSE(mem.write<uint64_t>(4092, 1));
    EXPECT_FALSE(mem.read<uint64_t>(4090));
    EXPECT_EQ(mem.read<uint8_t>(4095), 0);
}
