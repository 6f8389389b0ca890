// The i8042 as Linux's drivers use it: the status register, the CPU reset, the command
// byte, the output port, keyboard acknowledgements with IRQ 1, and the probe's view of
// a controller with a keyboard port and no mouse.
#include "vmm/devices/i8042.h"

#include <gtest/gtest.h>

using namespace cocoon::vmm;

namespace {

struct CountingIrq : IrqLine {
    int raised = 0;
    void raise() override { ++raised; }
};

constexpr uint8_t output_full = 0x01, aux_data = 0x20;

struct I8042Test : ::testing::Test {
    int resets = 0;
    CountingIrq irq1;
    I8042 i8042{[this] { ++resets; }, &irq1};

    static uint8_t in(Device& port) {
        uint8_t value = 0;
        port.read(0, std::span<uint8_t>(&value, 1));
        return value;
    }
    static void out(Device& port, uint8_t value) { port.write(0, std::span<const uint8_t>(&value, 1)); }
    uint8_t status() { return in(i8042.command_port()); }
    uint8_t data() { return in(i8042.data_port()); }
    void command(uint8_t c) { out(i8042.command_port(), c); }
    void send(uint8_t d) { out(i8042.data_port(), d); }
};

TEST_F(I8042Test, StatusSaysNothingPendingKeyboardUnlockedAndPostPassed) {
    EXPECT_EQ(status(), 0x14);     // system flag, not locked; both buffers empty
    EXPECT_EQ(data(), 0);
    EXPECT_EQ(resets, 0);
}

TEST_F(I8042Test, CommandFeResetsTheCpu) {
    command(0xfe);
    EXPECT_EQ(resets, 1);
    command(0xff);                 // pulses no bit
    EXPECT_EQ(resets, 1);
    command(0xf0);                 // pulses bits 0..3, the reset line among them
    EXPECT_EQ(resets, 2);
}

TEST_F(I8042Test, CommandByteIsReadWith20AndWrittenWith60) {
    command(0x20);
    EXPECT_EQ(status() & (output_full | 0x08), output_full | 0x08);  // a reply; the last write was a command
    EXPECT_EQ(data(), 0x65);
    EXPECT_EQ(status() & output_full, 0);
    command(0x60);
    send(0x74);
    EXPECT_EQ(status() & 0x08, 0);
    command(0x20);
    EXPECT_EQ(data(), 0x74);
    EXPECT_EQ(irq1.raised, 0);     // controller replies are polled, not interrupts
}

TEST_F(I8042Test, OutputPortWriteThatClearsBit0ResetsTheCpu) {
    command(0xd0);
    EXPECT_EQ(data(), 0x03);
    command(0xd1);
    send(0x03);                    // A20 and reset both high: nothing happens
    EXPECT_EQ(resets, 0);
    command(0xd1);
    send(0x02);
    EXPECT_EQ(resets, 1);
}

TEST_F(I8042Test, BytesToTheKeyboardAreAcknowledgedWithIrq1WhenItIsEnabled) {
    send(0xf2);                    // atkbd's GETID
    EXPECT_EQ(status() & output_full, output_full);
    EXPECT_EQ(data(), 0xfa);
    EXPECT_EQ(irq1.raised, 1);
    command(0x60);
    send(0x64);                    // keyboard interrupt off
    send(0xed);
    EXPECT_EQ(data(), 0xfa);
    EXPECT_EQ(irq1.raised, 1);
    command(0xd2);                 // write the keyboard's output buffer
    send(0x1c);
    EXPECT_EQ(data(), 0x1c);
}

// drivers/input/serio/i8042.c: i8042_controller_init reads the command byte until two
// reads agree and writes it back; i8042_check_aux runs the AUX loop test (0xD3 with
// 0x5a, whose answer must come from the AUX port) and then the AUX interface test,
// whose nonzero answer other than 0xFA and 0xFF means no mouse.
TEST_F(I8042Test, LinuxProbeSeesAStableCommandByteAndNoMouse) {
    command(0x20);
    uint8_t first = data();
    command(0x20);
    EXPECT_EQ(data(), first);
    command(0x60);
    send(static_cast<uint8_t>((first | 0x10) & ~0x01));  // keyboard disabled, no interrupt
    command(0xaa);
    EXPECT_EQ(data(), 0x55);       // controller self-test passed
    command(0xd3);
    send(0x5a);
    ASSERT_EQ(status() & output_full, output_full);
    EXPECT_EQ(status() & aux_data, 0);  // not an AUX echo: the loop test fails quickly
    command(0xa9);
    uint8_t aux_test = data();
    EXPECT_TRUE(aux_test != 0 && aux_test != 0xfa && aux_test != 0xff);
    command(0xab);
    EXPECT_EQ(data(), 0x00);       // keyboard interface test passed
    EXPECT_EQ(irq1.raised, 0);
    EXPECT_EQ(resets, 0);
}

TEST(I8042, WorksWithoutAKeyboardInterrupt) {
    int resets = 0;
    I8042 i8042{[&] { ++resets; }};
    uint8_t byte = 0xf4;
    i8042.data_port().write(0, std::span<const uint8_t>(&byte, 1));
    i8042.data_port().read(0, std::span<uint8_t>(&byte, 1));
    EXPECT_EQ(byte, 0xfa);
    EXPECT_EQ(resets, 0);
}

} // namespace
