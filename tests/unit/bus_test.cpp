#include "vmm/bus/bus.h"

#include <vector>

#include <gtest/gtest.h>

using namespace cocoon::vmm;

namespace {

struct Recorder : Device {
    std::vector<std::pair<uint64_t, uint8_t>> writes;
    void read(uint64_t offset, std::span<uint8_t> data) override {
        for (auto& b : data) b = static_cast<uint8_t>(offset);
    }
    void write(uint64_t offset, std::span<const uint8_t> data) override { writes.emplace_back(offset, data[0]); }
};

TEST(Bus, DispatchesWithOffsetsRelativeToTheBase) {
    Bus bus("port");
    Recorder a, b;
    bus.add(0x3f8, 8, a);
    bus.add(0x40, 4, b);
    uint8_t v = 7;
    EXPECT_TRUE(bus.write(0x3fd, std::span<const uint8_t>(&v, 1)));
    EXPECT_TRUE(bus.write(0x43, std::span<const uint8_t>(&v, 1)));
    ASSERT_EQ(a.writes.size(), 1u);
    EXPECT_EQ(a.writes[0].first, 5u);
    ASSERT_EQ(b.writes.size(), 1u);
    EXPECT_EQ(b.writes[0].first, 3u);
    uint8_t r = 0;
    EXPECT_TRUE(bus.read(0x3ff, std::span<uint8_t>(&r, 1)));
    EXPECT_EQ(r, 7);
}

TEST(Bus, UnclaimedAccessesReadAllOnesAndAreCounted) {
    Bus bus("mmio");
    Recorder a;
    bus.add(0x1000, 0x100, a);
    uint32_t value = 0;
    EXPECT_FALSE(bus.read(0x1100, std::span<uint8_t>(reinterpret_cast<uint8_t*>(&value), 4)));
    EXPECT_EQ(value, 0xffffffffu);
    EXPECT_FALSE(bus.read(0xfff, std::span<uint8_t>(reinterpret_cast<uint8_t*>(&value), 4)));
    uint8_t v = 1;
    for (int i = 0; i < 1000; ++i) bus.write(0x10000 + i, std::span<const uint8_t>(&v, 1));
    EXPECT_EQ(bus.unclaimed_accesses(), 1002u);
    EXPECT_TRUE(a.writes.empty());
}

TEST(Bus, OverlappingRangesAreRefused) {
    Bus bus("port");
    Recorder a, b;
    bus.add(0x40, 4, a);
    EXPECT_THROW(bus.add(0x43, 2, b), std::invalid_argument);
    EXPECT_THROW(bus.add(0x3e, 3, b), std::invalid_argument);
    EXPECT_THROW(bus.add(0x40, 4, b), std::invalid_argument);
    EXPECT_THROW(bus.add(0x100, 0, b), std::invalid_argument);
    EXPECT_THROW(bus.add(UINT64_MAX, 2, b), std::invalid_argument);
    bus.add(0x44, 4, b);  // adjacent is fine
    bus.add(0x3c, 4, b);
}

} // namespace
