// The echo timer on a UART, with a made-up clock: what the host types and the guest
// echoes is timed, reported on the event loop, and summed up at the end.
#include "vmm/console/echo_timer.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

using namespace cocoon::vmm;
using std::chrono::milliseconds;

namespace {

struct NoIrq : IrqLine {
    void raise() override {}
};

struct EchoTimerTest : ::testing::Test {
    boost::asio::io_context events;
    HostTime now{};
    EchoTimer timer{events, [this] { return now; }};
    NoIrq irq;
    Uart uart{[](uint8_t) {}, irq, &timer};
    std::vector<Echo> reported;

    EchoTimerTest() {
        timer.report_to([this](const Echo& e) { reported.push_back(e); });
    }
    void host_types(const std::string& keys) {
        EXPECT_EQ(uart.receive(std::span(reinterpret_cast<const uint8_t*>(keys.data()), keys.size())), keys.size());
    }
    uint8_t guest_reads() {
        uint8_t b = 0;
        uart.read(0, std::span(&b, 1));
        return b;
    }
    void guest_writes(const std::string& text) {
        for (char c : text) {
            uint8_t b = static_cast<uint8_t>(c);
            uart.write(0, std::span(&b, 1));
        }
    }
};

TEST_F(EchoTimerTest, EchoesAreTimedAndReportedOnTheEventLoop) {
    host_types("hi\r");
    now += milliseconds(2);
    guest_reads();
    guest_writes("h");
    now += milliseconds(1);
    guest_reads();
    guest_writes("i");
    now += milliseconds(4);
    guest_reads();
    guest_writes("\r\n$ ");
    EXPECT_TRUE(reported.empty());  // not on the guest's thread
    events.run();
    ASSERT_EQ(reported.size(), 3u);
    EXPECT_EQ(reported[2].byte, '\r');
    EXPECT_EQ(reported[2].latency(), milliseconds(7));
    EchoFigures f = timer.figures();
    EXPECT_EQ(f.handed, 3u);
    EXPECT_EQ(f.not_echoed, 0u);
    EXPECT_EQ(f.echoed.count, 3u);
    EXPECT_EQ(f.echoed.median, milliseconds(3));
    EXPECT_EQ(f.echoed.worst, milliseconds(7));
}

// At the end: a byte read and never answered, and one never read, are not echoed.
TEST_F(EchoTimerTest, WhatIsLeftAtTheEndIsNotEchoed) {
    host_types("ab");
    guest_reads();
    EchoFigures f = timer.figures();
    EXPECT_EQ(f.handed, 2u);
    EXPECT_EQ(f.not_echoed, 2u);
    EXPECT_EQ(f.unread, 1u);
    EXPECT_EQ(f.echoed.count, 0u);
}

TEST_F(EchoTimerTest, ReportNowHandsOverWhatTheLoopHasNotYet) {
    host_types("x");
    guest_reads();
    guest_writes("x");
    timer.report_now();  // at the end, with the event loop stopped
    EXPECT_EQ(reported.size(), 1u);
    events.run();
    EXPECT_EQ(reported.size(), 1u);
}

} // namespace
