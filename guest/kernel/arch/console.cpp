#include "kernel/arch/console.h"

#include "cocoon/platform.h"
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

void put_number(unsigned long long value, unsigned base, int width, char pad) {
    char digits[32];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value);
    while (n < width) digits[n++] = pad;
    while (n) put(digits[--n]);
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

void kvprintf(const char* f, va_list args) {
    for (; *f; ++f) {
        if (*f != '%') {
            put(*f);
            continue;
        }
        ++f;
        char pad = ' ';
        int width = 0;
        if (*f == '0') pad = '0', ++f;
        while (*f >= '0' && *f <= '9') width = width * 10 + (*f++ - '0');
        int longs = 0;
        while (*f == 'l') ++longs, ++f;
        switch (*f) {
        case 's': {
            const char* s = va_arg(args, const char*);
            for (s = s ? s : "(null)"; *s; ++s) put(*s);
            break;
        }
        case 'c': put(static_cast<char>(va_arg(args, int))); break;
        case 'd': {
            long long v = longs ? va_arg(args, long long) : va_arg(args, int);
            if (v < 0) put('-'), v = -v;
            put_number(static_cast<unsigned long long>(v), 10, width, pad);
            break;
        }
        case 'u': put_number(longs ? va_arg(args, unsigned long long) : va_arg(args, unsigned), 10, width, pad); break;
        case 'x': put_number(longs ? va_arg(args, unsigned long long) : va_arg(args, unsigned), 16, width, pad); break;
        case 'p': put('0'), put('x'), put_number(reinterpret_cast<unsigned long long>(va_arg(args, void*)), 16, 0, ' '); break;
        case '%': put('%'); break;
        default: put('%'), put(*f);
        }
    }
}

void kprintf(const char* format, ...) {
    va_list args;
    va_start(args, format);
    kvprintf(format, args);
    va_end(args);
}

} // namespace kernel
