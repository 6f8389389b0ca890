// The console as processes read it (fd 0): the UART's receive interrupt feeds the line
// discipline, a reader sleeps until it has a line (a byte in raw mode), and Ctrl-C goes
// to the foreground job. docs/kernel.md follows a key from the UART to read().
#pragma once
#include <stdint.h>

#include "kernel/tty/line_discipline.h"

namespace kernel::tty {

// IRQ 4 unmasked at the PIC and the UART's receive interrupt on.
void init();
// From the IRQ 4 handler: takes what the UART holds while there is room.
void on_interrupt();

// Blocks the running process until read_input() has something for it: 0, or -EINTR
// when Ctrl-C interrupted it or it was killed meanwhile.
int64_t wait_for_input();
bool input_ready();
// What one read() returns (LineDiscipline::read); the UART is drained again if it had
// been left full.
uint64_t read_input(char* out, uint64_t size);

// sys::set_foreground for the running process (pid 0: no job): 0 or -errno.
int64_t set_foreground(int pid);
Mode set_mode(Mode mode);  // returns the mode before
uint64_t dropped();

} // namespace kernel::tty
