// The kernel's console: COM1, written by polling. kprintf formats %s %c %d %u %x
// %p with the l and ll length modifiers and a zero-padded width.
#pragma once
#include <stdarg.h>
#include <stddef.h>

namespace kernel {

void console_init();
void console_write(const char* text, size_t length);
void kprintf(const char* format, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char* format, va_list args);

} // namespace kernel
