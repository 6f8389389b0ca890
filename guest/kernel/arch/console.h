// The kernel's console: COM1, written by polling and read on its receive interrupt
// (IRQ 4; tty/console.cpp). kprintf formats %s %c %d %u %x %p with the l and ll length
// modifiers and a zero-padded width.
#pragma once
#include <stdarg.h>
#include <stddef.h>

namespace kernel {

void console_init();
void console_write(const char* text, size_t length);
void kprintf(const char* format, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char* format, va_list args);

// The receiving side: whether a received byte waits in the UART, the byte, and whether
// its arrival raises IRQ 4 (off, the UART keeps what comes and the host waits to send more).
bool console_byte_waiting();
char console_read_byte();
void console_receive_interrupt(bool on);

} // namespace kernel
