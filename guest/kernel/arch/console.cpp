#include "kernel/arch/console.h"

#include "cocoon/platform.h"
#include "freestanding/format.h"
#include "kernel/arch/x86.h"

namespace kernel {
namespace {

constexpr uint16_t com1 = cocoon::platform::uart_port;
// The 16550's registers, as offsets from its base port.
enum : uint16_t { data, interrupt_enable, fifo_control, line_control, modem_control, line_status };
constexpr uint8_t line_status_data_ready = 0x01, line_status_transmit_empty = 0x20;
constexpr uint8_t interrupt_on_receive = 0x01;
constexpr int fifo_size = 16;  // a 16550A's transmit FIFO
int fifo_room = 0;

// Every port access is a VM exit. The line status register says only that the
// transmit FIFO is empty, so one read of it pays for the next sixteen bytes, not one
// (as Linux's 8250 driver does): a byte costs 1 + 1/16 exits instead of 2.
void put(char c) {
    if (fifo_room == 0) {
        while (!(x86::inb(com1 + line_status) & line_status_transmit_empty)) {
        }
        fifo_room = fifo_size;
    }
    x86::outb(com1, static_cast<uint8_t>(c));
    --fifo_room;
}

} // namespace

void console_init() {
    x86::outb(com1 + interrupt_enable, 0x00);  // no interrupts yet
    x86::outb(com1 + line_control, 0x80);      // DLAB
    x86::outb(com1 + data, 0x01);              // 115200 baud
    x86::outb(com1 + interrupt_enable, 0x00);
    x86::outb(com1 + line_control, 0x03);      // 8N1
    x86::outb(com1 + fifo_control, 0x07);      // FIFOs on and cleared, receive interrupt at 1 byte
    x86::outb(com1 + modem_control, 0x0b);     // DTR, RTS, and OUT2, which a PC's UART needs to raise its IRQ
}

void console_write(const char* text, size_t length) {
    for (size_t i = 0; i < length; ++i) put(text[i]);
}

bool console_byte_waiting() { return x86::inb(com1 + line_status) & line_status_data_ready; }

char console_read_byte() { return static_cast<char>(x86::inb(com1 + data)); }

void console_receive_interrupt(bool on) { x86::outb(com1 + interrupt_enable, on ? interrupt_on_receive : 0); }

void kvprintf(const char* format, va_list args) {
    auto out = [](char c) { put(c); };
    freestanding::format(out, format, args);
}

void kprintf(const char* format, ...) {
    va_list args;
    va_start(args, format);
    kvprintf(format, args);
    va_end(args);
}

} // namespace kernel
