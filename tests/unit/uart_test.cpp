// The 16550A's registers as the datasheet describes them.
#include "vmm/devices/uart.h"

#include <string>

#include <gtest/gtest.h>

using namespace cocoon::vmm;

namespace {

struct CountingIrq : IrqLine {
    int raised = 0;
    void raise() override { ++raised; }
};

struct UartTest : ::testing::Test {
    std::string out;
    CountingIrq irq;
    Uart uart{[this](uint8_t b) { out.push_back(static_cast<char>(b)); }, irq};
    uint8_t get(uint64_t reg) {
        uint8_t v = 0;
        uart.read(reg, std::span<uint8_t>(&v, 1));
        return v;
    }
    void put(uint64_t reg, uint8_t v) { uart.write(reg, std::span<const uint8_t>(&v, 1)); }
};

TEST_F(UartTest, TransmitGoesOutAndThrIsAlwaysEmpty) {
    put(0, 'h');
    put(0, 'i');
    EXPECT_EQ(out, "hi");
    EXPECT_EQ(get(5) & 0x60, 0x60);  // THRE and TEMT
    EXPECT_EQ(get(5) & 0x01, 0);     // no data ready
}

TEST_F(UartTest, DlabSelectsTheDivisorLatch) {
    put(3, 0x80);            // DLAB
    put(0, 0x01);            // divisor low: 115200 baud
    put(1, 0x00);
    EXPECT_EQ(get(0), 0x01);
    EXPECT_EQ(get(1), 0x00);
    EXPECT_TRUE(out.empty()); // divisor writes are not output
    put(3, 0x03);            // 8N1, DLAB off
    EXPECT_EQ(get(3), 0x03);
    put(0, 'x');
    EXPECT_EQ(out, "x");
    EXPECT_EQ(get(1), 0);    // IER, not DLM
}

TEST_F(UartTest, ScratchRegisterHoldsAValue) {
    put(7, 0x5a);
    EXPECT_EQ(get(7), 0x5a);
    put(7, 0xa5);
    EXPECT_EQ(get(7), 0xa5);
}

TEST_F(UartTest, ReceivedBytesSetDataReadyAndInterruptWhenEnabled) {
    EXPECT_EQ(get(2) & 0x0f, 0x01);  // IIR: nothing pending
    uint8_t in[] = {'a', 'b'};
    uart.receive(in);
    EXPECT_EQ(irq.raised, 0);         // IER.RX off
    EXPECT_EQ(get(5) & 0x01, 0x01);
    put(1, 0x01);                     // enable RX interrupt
    EXPECT_EQ(irq.raised, 1);
    EXPECT_EQ(get(2) & 0x0f, 0x04);   // IIR: received data
    EXPECT_EQ(get(0), 'a');
    EXPECT_EQ(get(0), 'b');
    EXPECT_EQ(get(5) & 0x01, 0);
    EXPECT_EQ(get(2) & 0x0f, 0x01);
}

TEST_F(UartTest, ThreInterruptIsRaisedOnEnableAndClearedByReadingIir) {
    put(1, 0x02);                     // enable THRE interrupt: THR is empty, so it fires
    EXPECT_EQ(irq.raised, 1);
    EXPECT_EQ(get(2) & 0x0f, 0x02);
    EXPECT_EQ(get(2) & 0x0f, 0x01);   // reading IIR acknowledged it
    put(0, 'z');                      // sent at once: THRE again
    EXPECT_EQ(irq.raised, 2);
    EXPECT_EQ(get(2) & 0x0f, 0x02);
}

TEST_F(UartTest, ReceiveFifoTakesSixteenBytesAndNoMore) {
    std::string typed = "0123456789abcdefXYZ";
    EXPECT_EQ(uart.receive(std::span(reinterpret_cast<const uint8_t*>(typed.data()), typed.size())), 16u);
    std::string read;
    while (get(5) & 0x01) read.push_back(static_cast<char>(get(0)));
    EXPECT_EQ(read, typed.substr(0, 16));
}

// The host holds back what the FIFO refused, and hears once when the guest made room.
TEST_F(UartTest, RoomIsAnnouncedOnceAfterARefusal) {
    int rooms = 0;
    uart.on_room([&] { ++rooms; });
    uint8_t in[20] = {};
    EXPECT_EQ(uart.receive(std::span(in, 16)), 16u);
    get(0);
    EXPECT_EQ(rooms, 0);  // nothing was refused: nobody waits
    EXPECT_EQ(uart.receive(in), 1u);
    get(0);
    EXPECT_EQ(rooms, 1);
    get(0);
    EXPECT_EQ(rooms, 1);
    EXPECT_EQ(uart.receive(in), 2u);
    put(2, 0x03);  // a receive FIFO reset makes room too
    EXPECT_EQ(rooms, 2);
}

struct RecordingWatcher : UartWatcher {
    std::string seen;
    void entered(uint8_t byte) override { seen += std::string("in ") + char(byte) + ";"; }
    void left() override { seen += "left;"; }
    void sent(uint8_t byte) override { seen += std::string("out ") + char(byte) + ";"; }
};

TEST_F(UartTest, TheWatcherSeesEachByteInTheGuestsOrder) {
    RecordingWatcher watcher;
    Uart watched{[](uint8_t) {}, irq, &watcher};
    uint8_t in[] = {'a', 'b'};
    watched.receive(in);
    uint8_t v = 0, x = 'x';
    watched.read(0, std::span(&v, 1));
    watched.write(0, std::span(&x, 1));
    uint8_t reset = 0x03;
    watched.write(2, std::span(&reset, 1));
    EXPECT_EQ(watcher.seen, "in a;in b;left;out x;left;");
}

TEST_F(UartTest, FifoControlShowsInIirAndClearsReceive) {
    put(2, 0x07);                     // enable and reset FIFOs
    EXPECT_EQ(get(2) & 0xc0, 0xc0);
    uint8_t in[] = {'q'};
    uart.receive(in);
    put(2, 0x03);                     // reset the receive FIFO
    EXPECT_EQ(get(5) & 0x01, 0);
}

} // namespace
