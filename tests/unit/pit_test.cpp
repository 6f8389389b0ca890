// The i8254 model with explicit time: counts, interrupt times, latch, read-back,
// reprogramming, the rate clamp, coalescing.
#include "vmm/devices/pit.h"
#include "vmm/devices/pit_device.h"

#include <thread>

#include <gtest/gtest.h>

using cocoon::vmm::Pit;
using namespace std::chrono_literals;

namespace {

constexpr uint8_t ch0 = 0, cmd = 3;

void program(Pit& pit, uint8_t mode, uint16_t count, Pit::Time now) {
    pit.write(cmd, static_cast<uint8_t>(0x30 | (mode << 1)), now);  // channel 0, lobyte/hibyte
    pit.write(ch0, count & 0xff, now);
    pit.write(ch0, count >> 8, now);
}

uint16_t read_count(Pit& pit, Pit::Time now) {
    uint8_t lo = pit.read(ch0, now);
    uint8_t hi = pit.read(ch0, now);
    return static_cast<uint16_t>(lo | (hi << 8));
}

TEST(Pit, RateGeneratorFiresEveryPeriod) {
    Pit pit;
    EXPECT_FALSE(pit.next_irq());
    program(pit, 2, 1193, 0ns);  // ~1 kHz
    ASSERT_TRUE(pit.next_irq());
    auto period = *pit.next_irq();
    EXPECT_NEAR(period.count(), 999847, 10);
    EXPECT_EQ(pit.expire(period - 1ns), 0u);
    EXPECT_EQ(pit.expire(period), 1u);
    EXPECT_EQ(*pit.next_irq(), 2 * period);
}

TEST(Pit, CountsDownAndLatches) {
    Pit pit;
    program(pit, 2, 10000, 0ns);
    uint16_t early = read_count(pit, 1ms);
    EXPECT_NEAR(early, 10000 - 1193, 2);
    pit.write(cmd, 0x00, 2ms);                  // latch channel 0
    EXPECT_NEAR(read_count(pit, 5ms), 10000 - 2386, 2);  // the latched value, not the live one
    EXPECT_NEAR(read_count(pit, 5ms), 10000 - 5966, 2);  // latch consumed: live again
}

TEST(Pit, ReadBackGivesStatusAndCount) {
    Pit pit;
    program(pit, 3, 5000, 0ns);
    pit.write(cmd, 0xc2, 0ns);                  // read-back: count and status of channel 0
    uint8_t status = pit.read(ch0, 0ns);
    EXPECT_EQ(status & 0x0e, 3 << 1);           // mode 3
    EXPECT_EQ((status >> 4) & 3, 3);            // lobyte/hibyte
    EXPECT_EQ(status & 0x40, 0);                // count loaded
    EXPECT_EQ(read_count(pit, 0ns), 5000);      // square wave counts by two: 2 * 5000 % 5000
}

TEST(Pit, OneShotModeZeroFiresOnceAndRestartsOnWrite) {
    Pit pit;
    program(pit, 0, 1193, 0ns);
    auto due = *pit.next_irq();
    EXPECT_EQ(pit.expire(due), 1u);
    EXPECT_FALSE(pit.next_irq());
    EXPECT_EQ(pit.expire(due * 10), 0u);
    EXPECT_EQ(read_count(pit, due * 10), 0);
    program(pit, 0, 1193, 5ms);                 // reprogramming restarts the count
    EXPECT_EQ(*pit.next_irq(), 5ms + due);
}

TEST(Pit, ReprogrammingMidCountTakesEffectAtTheNextReload) {
    Pit pit;
    program(pit, 2, 11932, 0ns);                // 10 ms
    auto first = *pit.next_irq();
    pit.write(ch0, 1193 & 0xff, 3ms);           // new count while running
    pit.write(ch0, 1193 >> 8, 3ms);
    EXPECT_EQ(*pit.next_irq(), first);          // the running period finishes
    pit.expire(first);
    EXPECT_NEAR((*pit.next_irq() - first).count(), 999847, 10);
}

TEST(Pit, FastestRateIsClampedAndMissedTicksCoalesce) {
    Pit pit;
    program(pit, 2, 2, 0ns);                    // 600 kHz asked for
    EXPECT_EQ(*pit.next_irq(), Pit::min_period);
    EXPECT_EQ(pit.expire(1s), 1u);              // a second late: one interrupt, not thousands
    EXPECT_GT(*pit.next_irq(), 1s);
    EXPECT_LE(*pit.next_irq(), 1s + Pit::min_period);
}

TEST(Pit, CommandRegisterReadsAsAllOnes) {
    Pit pit;
    EXPECT_EQ(pit.read(cmd, 0ns), 0xff);
}

} // namespace

// A tick that is due is raised from the vCPU thread's side too, without the event loop.
TEST(PitDevice, CatchUpRaisesWhatIsDueWithoutTheEventLoop) {
    struct Counting final : cocoon::vmm::IrqLine {
        int raised = 0;
        void raise() override { ++raised; }
    } irq;
    boost::asio::io_context events;  // never run
    cocoon::vmm::PitDevice pit(events, irq);
    auto out = [&](uint64_t port, uint8_t value) { pit.write(port, std::span(&value, 1)); };
    out(3, 0x34);  // channel 0, lobyte/hibyte, rate generator
    out(0, 1193 & 0xff);
    out(0, 1193 >> 8);  // 1 kHz
    pit.catch_up();
    EXPECT_EQ(irq.raised, 0);  // nothing due yet
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    pit.catch_up();
    EXPECT_GE(irq.raised, 1);
    EXPECT_EQ(pit.interrupts(), static_cast<uint64_t>(irq.raised));
}
