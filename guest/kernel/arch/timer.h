// The 8259 PICs, remapped above the exceptions, and the 8254 PIT's channel 0 as the
// scheduler's tick.
#pragma once
#include <stdint.h>

namespace kernel::timer {

inline constexpr uint8_t irq_base = 0x20;  // IRQ n arrives as vector 0x20 + n
inline constexpr uint32_t hz = 1000;

void init();
void end_of_interrupt(uint8_t irq);
uint64_t ticks();                          // since boot, 1 ms each
void tick();                               // called by the IRQ 0 handler

} // namespace kernel::timer
