// The i8254 model with explicit time: counts, interrupt times, latch, read-back,
// reprogramming, the rate clamp, coalescing; channel 2 on port 0x61 as Linux calibrates
// the TSC with it; mode 4 as Linux's one-shot clockevent uses it.
#include "vmm/devices/pit.h"
#include "vmm/devices/pit_device.h"

#include <thread>

#include <gtest/gtest.h>

using cocoon::vmm::Pit;
using namespace std::chrono_literals;

namespace {

constexpr uint8_t ch0 = 0, ch2 = 2, cmd = 3;
constexpr uint8_t out2 = 0x20, refresh = 0x10, gate2 = 0x01;

void program(Pit& pit, uint8_t mode, uint16_t count, Pit::Time now, uint8_t channel = ch0) {
    pit.write(cmd, static_cast<uint8_t>((channel << 6) | 0x30 | (mode << 1)), now);  // lobyte/hibyte
    pit.write(channel, count & 0xff, now);
    pit.write(channel, count >> 8, now);
}

uint16_t read_count(Pit& pit, Pit::Time now, uint8_t channel = ch0) {
    uint8_t lo = pit.read(channel, now);
    uint8_t hi = pit.read(channel, now);
    return static_cast<uint16_t>(lo | (hi << 8));
}

uint16_t latch_and_read(Pit& pit, Pit::Time now, uint8_t channel) {
    pit.write(cmd, static_cast<uint8_t>(channel << 6), now);  // counter latch
    return read_count(pit, now, channel);
}

constexpr uint16_t ticks(Pit::Time t) { return static_cast<uint16_t>(t.count() * Pit::input_hz / 1000000000); }

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

TEST(Pit, Channel2CountsOnlyWhileItsGateIsHigh) {
    Pit pit;
    program(pit, 0, 50000, 0ns, ch2);               // gate low since power-on: loaded, not counting
    EXPECT_EQ(latch_and_read(pit, 5ms, ch2), 50000);
    pit.write_port61(gate2, 5ms);
    EXPECT_NEAR(latch_and_read(pit, 7ms, ch2), 50000 - ticks(2ms), 1);
    pit.write_port61(0, 7ms);                       // lowered: the count holds
    EXPECT_NEAR(latch_and_read(pit, 20ms, ch2), 50000 - ticks(2ms), 1);
    pit.write_port61(gate2, 20ms);                  // mode 0 counts on from where it stopped
    EXPECT_NEAR(latch_and_read(pit, 21ms, ch2), 50000 - ticks(3ms), 1);
}

TEST(Pit, Channel2OutputRisesAtTerminalCountInModeZero) {
    Pit pit;
    pit.write_port61(gate2, 0ns);
    pit.write(cmd, 0xb0, 0ns);                      // channel 2, lobyte/hibyte, mode 0
    EXPECT_EQ(pit.read_port61(0ns) & out2, 0);      // the control word sets OUT low
    pit.write(ch2, 1193 & 0xff, 0ns);
    pit.write(ch2, 1193 >> 8, 0ns);                 // 1 ms
    uint16_t previous = 1193;
    for (auto t = 100us; t < 1ms; t += 100us) {     // lsb then msb after a latch: decreasing with time
        uint16_t count = latch_and_read(pit, t, ch2);
        EXPECT_LT(count, previous);
        EXPECT_NEAR(count, 1193 - ticks(t), 1);
        EXPECT_EQ(pit.read_port61(t) & out2, 0);
        previous = count;
    }
    EXPECT_EQ(pit.read_port61(1001us) & out2, out2);
    EXPECT_EQ(pit.read_port61(50ms) & out2, out2);  // and stays high
    EXPECT_FALSE(pit.next_irq());                   // channel 2 raises no interrupt
}

TEST(Pit, Port61KeepsItsLowBitsAndTogglesRefreshEvery15Microseconds) {
    Pit pit;
    pit.write_port61(0x0f, 0ns);
    EXPECT_EQ(pit.read_port61(0ns) & 0x0f, 0x0f);
    uint8_t a = pit.read_port61(1us) & refresh;
    uint8_t b = pit.read_port61(16us) & refresh;    // one refresh (18 clocks, 15.1 µs) later
    uint8_t c = pit.read_port61(31us) & refresh;
    EXPECT_NE(a, b);
    EXPECT_NE(b, c);
}

// arch/x86/kernel/tsc.c pit_calibrate_tsc(): gate on, speaker off, channel 2 in mode 0
// with CAL_LATCH (10 ms), then poll OUT2 until it rises; the guest's loop here takes 1 µs.
TEST(Pit, LinuxPitCalibrateTscSeesOut2RiseAfterTheLatch) {
    Pit pit;
    Pit::Time now = 0ns;
    constexpr uint16_t cal_latch = Pit::input_hz / 100;
    pit.write_port61(static_cast<uint8_t>((pit.read_port61(now) & ~0x02) | 0x01), now);
    pit.write(cmd, 0xb0, now);
    pit.write(ch2, cal_latch & 0xff, now);
    pit.write(ch2, cal_latch >> 8, now);
    int pitcnt = 0;
    while ((pit.read_port61(now) & out2) == 0 && pitcnt < 1000000) {
        now += 1us;
        ++pitcnt;
    }
    EXPECT_NEAR(pitcnt, 10000, 2);                  // >= its loopmin of 1000
    EXPECT_NEAR(now.count(), 10000000, 2000);
}

// quick_pit_calibrate(): 0xffff in mode 0, then pit_expect_msb() reads lsb and msb with
// no latch while the msb stays at each value in turn, 256 clocks (214.5 µs) apiece.
TEST(Pit, LinuxQuickPitCalibrateSeesEachMsbFor256Clocks) {
    Pit pit;
    pit.write_port61(gate2, 0ns);
    program(pit, 0, 0xffff, 0ns, ch2);
    auto msb_at = [&](Pit::Time t) {
        pit.read(ch2, t);                           // lsb, ignored
        return pit.read(ch2, t);
    };
    for (int i = 0; i < 20; ++i) {
        auto first = Pit::Time(static_cast<int64_t>((i * 256 + 1) * 1e9 / Pit::input_hz) + 1);
        auto last = Pit::Time(static_cast<int64_t>(((i + 1) * 256) * 1e9 / Pit::input_hz) - 1);
        EXPECT_EQ(msb_at(first), 0xff - i) << i;
        EXPECT_EQ(msb_at(last), 0xff - i) << i;
    }
}

// drivers/clocksource/i8253.c: pit_set_oneshot() writes 0x38 (mode 4), pit_next_event()
// the count; each count gives one interrupt, however long the guest waits.
TEST(Pit, ModeFourStrobesOnceAtTerminalCount) {
    Pit pit;
    pit.write(cmd, 0x38, 0ns);
    pit.write(ch0, 1193 & 0xff, 0ns);
    pit.write(ch0, 1193 >> 8, 0ns);
    auto due = *pit.next_irq();
    EXPECT_NEAR(due.count(), 999847, 10);
    EXPECT_EQ(pit.expire(due - 1ns), 0u);
    EXPECT_EQ(pit.expire(due), 1u);
    EXPECT_FALSE(pit.next_irq());
    EXPECT_EQ(pit.expire(100ms), 0u);               // not periodic
    EXPECT_NEAR(latch_and_read(pit, 2ms, ch0), 0x10000 - ticks(1ms), 2);  // wraps and runs on
    pit.write(ch0, 1193 & 0xff, 5ms);               // the next event: counting starts again
    pit.write(ch0, 1193 >> 8, 5ms);
    EXPECT_EQ(*pit.next_irq(), 5ms + due);
    pit.write(cmd, 0xc2, 5ms);                      // read-back status: OUT high, mode 4
    EXPECT_EQ(pit.read(ch0, 5ms), 0x80 | 0x30 | (4 << 1));
}

TEST(Pit, ModeFourIsNotClampedLikeThePeriodicModes) {
    Pit pit;
    program(pit, 4, 20, 0ns);                       // 16.8 µs: one interrupt, one write each
    EXPECT_LT(*pit.next_irq(), Pit::min_period);
}

TEST(Pit, ModeOneWaitsForChannel2sGateToRise) {
    Pit pit;
    program(pit, 1, 1193, 0ns, ch2);
    EXPECT_EQ(pit.read_port61(5ms) & out2, out2);   // high until triggered
    pit.write_port61(gate2, 5ms);                   // the trigger
    EXPECT_EQ(pit.read_port61(5500us) & out2, 0);
    EXPECT_NEAR(latch_and_read(pit, 5500us, ch2), 1193 - ticks(500us), 1);
    EXPECT_EQ(pit.read_port61(6001us) & out2, out2);
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

TEST(PitDevice, Port61IsChannel2sGateAndOutput) {
    struct Silent final : cocoon::vmm::IrqLine {
        void raise() override {}
    } irq;
    boost::asio::io_context events;  // never run
    cocoon::vmm::PitDevice pit(events, irq);
    cocoon::vmm::Device& port61 = pit.port61();
    auto out = [](cocoon::vmm::Device& d, uint64_t port, uint8_t value) { d.write(port, std::span(&value, 1)); };
    auto in61 = [&] {
        uint8_t value[2] = {0, 0};
        port61.read(0, value);
        EXPECT_EQ(value[1], 0xff);  // a word read reaches port 0x61 with its first byte only
        return value[0];
    };
    out(port61, 0, gate2);
    out(pit, 3, 0xb0);              // channel 2, mode 0
    out(pit, 2, 12);
    out(pit, 2, 0);                 // 12 clocks: 10 µs
    EXPECT_EQ(in61() & gate2, gate2);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(in61() & out2, out2);
}
