// The 8259 PICs, remapped above the exceptions, and the 8254 PIT's channel 0 as the
// scheduler's tick.
#pragma once
#include <stdint.h>

namespace kernel::timer {

inline constexpr uint8_t irq_base = 0x20;  // IRQ n arrives as vector 0x20 + n
inline constexpr uint32_t hz = 1000;

void init();
void end_of_interrupt(uint8_t irq);
void unmask_irq(uint8_t irq);              // lets the PIC deliver IRQ `irq` (0..15)
uint64_t ticks();                          // since boot, 1 ms each
// Measures the TSC against the PIT (interrupts must be arriving), after which
// uptime_ms() reads the TSC: time then passes for a process that waits for it even
// while no tick reaches the CPU (see docs/build.md on the nested runner).
void calibrate_tsc();
uint64_t uptime_ms();
uint64_t uptime_us();
uint64_t ms_since(uint64_t tsc);           // by the TSC; 0 before calibration
uint64_t tsc_to_us(uint64_t cycles);       // a span of TSC cycles; 0 before calibration
void tick();                               // called by the IRQ 0 handler

} // namespace kernel::timer
