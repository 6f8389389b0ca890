// The CMOS RTC on a fake wall clock: BCD and binary, 24- and 12-hour form, the
// update-in-progress window and Linux's way around it, the century, status B written by
// the guest, and the RAM behind the other bytes.
#include "vmm/devices/cmos_rtc.h"

#include <gtest/gtest.h>

using cocoon::vmm::CmosRtc;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

struct CmosRtcTest : ::testing::Test {
    system_clock::time_point now = sys_days{2024y / February / 29} + 13h + 5min + 9s;  // a Thursday
    CmosRtc rtc{[this] { return now; }};

    uint8_t cmos(uint8_t index) {
        rtc.write(0, std::span<const uint8_t>(&index, 1));
        uint8_t value = 0;
        rtc.read(1, std::span<uint8_t>(&value, 1));
        return value;
    }
    void set_cmos(uint8_t index, uint8_t value) {
        rtc.write(0, std::span<const uint8_t>(&index, 1));
        rtc.write(1, std::span<const uint8_t>(&value, 1));
    }
};

TEST_F(CmosRtcTest, ReadsTheWallClockInBcdAnd24HoursByDefault) {
    EXPECT_EQ(cmos(0x0b), 0x02);
    EXPECT_EQ(cmos(0x00), 0x09);
    EXPECT_EQ(cmos(0x02), 0x05);
    EXPECT_EQ(cmos(0x04), 0x13);
    EXPECT_EQ(cmos(0x06), 5);      // Sunday is 1
    EXPECT_EQ(cmos(0x07), 0x29);
    EXPECT_EQ(cmos(0x08), 0x02);
    EXPECT_EQ(cmos(0x09), 0x24);
    EXPECT_EQ(cmos(0x32), 0x20);
    EXPECT_EQ(cmos(0x0a), 0x26);
    EXPECT_EQ(cmos(0x0c), 0x00);
    EXPECT_EQ(cmos(0x0d), 0x80);   // valid RAM and time
}

TEST_F(CmosRtcTest, BinaryWhenTheGuestSetsStatusBsDataMode) {
    set_cmos(0x0b, 0x06);          // binary, 24-hour
    EXPECT_EQ(cmos(0x0b), 0x06);
    EXPECT_EQ(cmos(0x00), 9);
    EXPECT_EQ(cmos(0x04), 13);
    EXPECT_EQ(cmos(0x07), 29);
    EXPECT_EQ(cmos(0x09), 24);
    EXPECT_EQ(cmos(0x32), 20);
}

TEST_F(CmosRtcTest, TwelveHourFormSetsThePmBit) {
    set_cmos(0x0b, 0x00);          // BCD, 12-hour
    EXPECT_EQ(cmos(0x04), 0x81);   // 13:05 is 1 PM
    now = sys_days{2024y / March / 1} + 30min;
    EXPECT_EQ(cmos(0x04), 0x12);   // 00:30 is 12 AM
    now += 12h;
    EXPECT_EQ(cmos(0x04), 0x92);   // 12:30 is 12 PM
    set_cmos(0x0b, 0x04);          // binary, 12-hour
    now += 11h;
    EXPECT_EQ(cmos(0x04), 0x80 | 11);  // 23:30
}

TEST_F(CmosRtcTest, UpdateInProgressFor244MicrosecondsBeforeEachSecond) {
    auto second = floor<seconds>(now);
    now = second + 999700us;
    EXPECT_EQ(cmos(0x0a), 0x26);
    now = second + 999757us;
    EXPECT_EQ(cmos(0x0a), 0x80 | 0x26);
    EXPECT_EQ(cmos(0x00), 0x09);   // the registers still hold the old second
    now = second + 1s;
    EXPECT_EQ(cmos(0x0a), 0x26);
    EXPECT_EQ(cmos(0x00), 0x10);
}

TEST_F(CmosRtcTest, SettingStatusBsSetBitStopsUpdates) {
    set_cmos(0x0b, 0x82);
    now = floor<seconds>(now) + 999900us;
    EXPECT_EQ(cmos(0x0a), 0x26);
}

// drivers/rtc/rtc-mc146818-lib.c mc146818_avoid_UIP(): read the seconds, retry after
// 100 µs while UIP is set, read the time, then require UIP clear and the seconds unchanged.
// Here every port access takes 2 µs of the fake clock and the read starts in the window.
TEST_F(CmosRtcTest, LinuxReadsAConsistentTimeAcrossAnUpdate) {
    now = floor<seconds>(now) + 999800us;
    auto in = [&](uint8_t index) {
        now += 2us;
        return cmos(index);
    };
    int tries = 0;
    uint8_t seconds = 0, minutes = 0;
    for (; tries < 10; ++tries) {
        seconds = in(0x00);
        if (in(0x0a) & 0x80) {
            now += 100us;
            continue;
        }
        if (seconds != in(0x00)) continue;
        minutes = in(0x02);
        if ((in(0x0a) & 0x80) || seconds != in(0x00)) continue;
        break;
    }
    EXPECT_LT(tries, 10);
    EXPECT_EQ(seconds, 0x10);
    EXPECT_EQ(minutes, 0x05);
}

TEST_F(CmosRtcTest, CenturyFollowsTheYear) {
    now = sys_days{1999y / December / 31} + 23h + 59min + 59s;
    EXPECT_EQ(cmos(0x09), 0x99);
    EXPECT_EQ(cmos(0x32), 0x19);
    now += 1s;
    EXPECT_EQ(cmos(0x09), 0x00);
    EXPECT_EQ(cmos(0x32), 0x20);
    EXPECT_EQ(cmos(0x08), 0x01);
    EXPECT_EQ(cmos(0x06), 7);      // 2000-01-01 was a Saturday
    now = sys_days{2100y / January / 1};
    EXPECT_EQ(cmos(0x32), 0x21);
}

TEST_F(CmosRtcTest, OtherBytesAreRamAndTheNmiMaskBitIsIgnored) {
    EXPECT_EQ(cmos(0x40), 0x00);
    set_cmos(0x34, 0xab);
    EXPECT_EQ(cmos(0x34), 0xab);
    EXPECT_EQ(cmos(0x80 | 0x34), 0xab);  // bit 7 of the index masks NMIs, and selects nothing
    set_cmos(0x01, 0x30);                // alarm seconds: plain RAM here
    EXPECT_EQ(cmos(0x01), 0x30);
    set_cmos(0x0d, 0x00);                // read-only
    EXPECT_EQ(cmos(0x0d), 0x80);
    set_cmos(0x0a, 0xaa);                // UIP is read-only; the divider bits are kept
    EXPECT_EQ(cmos(0x0a), 0x2a);
    uint8_t index_port = 0;
    rtc.read(0, std::span<uint8_t>(&index_port, 1));
    EXPECT_EQ(index_port, 0xff);         // write-only
}

TEST_F(CmosRtcTest, TimeWritesDoNotMoveTheHostsClock) {
    set_cmos(0x00, 0x42);
    EXPECT_EQ(cmos(0x00), 0x09);
}

TEST_F(CmosRtcTest, AWordWriteSetsTheIndexThenTheData) {
    const uint8_t index_and_value[2] = {0x35, 0x5a};  // outw 0x70 with 0x5a35
    rtc.write(0, index_and_value);
    EXPECT_EQ(cmos(0x35), 0x5a);
}

} // namespace
