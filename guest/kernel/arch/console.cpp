#include "kernel/arch/console.h"

#include "cocoon/platform.h"
#include "freestanding/format.h"
#include "kernel/arch/x86.h"

namespace kernel {
namespace {

constexpr uint16_t com1 = cocoon::platform::uart_port;
constexpr int fifo_size = 16;  // a 16550A's transmit FIFO
int fifo_room = 0;

// Every port access is a VM exit. The line status register says only that the
// transmit FIFO is empty, so one read of it pays for the next sixteen bytes, not one
// (as Linux's 8250 driver does): a byte costs 1 + 1/16 exits instead of 2.
void put(char c) {
    if (fifo_room == 0) {
        while (!(x86::inb(com1 + 5) & 0x20)) {
        }
        fifo_room = fifo_size;
    }
    x86::outb(com1, static_cast<uint8_t>(c));
    --fifo_room;
}

} // namespace

void console_init() {
    x86::outb(com1 + 1, 0x00);  // no interrupts
    x86::outb(com1 + 3, 0x80);  // DLAB
    x86::outb(com1 + 0, 0x01);  // 115200 baud
    x86::outb(com1 + 1, 0x00);
    x86::outb(com1 + 3, 0x03);  // 8N1
    x86::outb(com1 + 2, 0x07);  // FIFOs on and cleared
}

void console_write(const char* text, size_t length) {
    for (size_t i = 0; i < length; ++i) put(text[i]);
}

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
