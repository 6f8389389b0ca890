// The local APIC and the IOAPIC, as far as the kernel uses them: virtual-wire mode so
// that the 8259s' interrupts reach the CPU, and IOAPIC routes for devices whose IRQ
// lies past the 8259s' sixteen (QEMU microvm's virtio-mmio transports use pins 16-23).
#pragma once
#include <stdint.h>

namespace kernel::apic {

inline constexpr uint8_t ioapic_vector_base = 0x40;  // IOAPIC pin n arrives as 0x40 + n

// APIC on, LINT0 as ExtINT, LINT1 as NMI, its timer masked: what a BIOS leaves.
void enable_virtual_wire();
// Routes IOAPIC pin `pin` (level-triggered, active high, to this CPU) to
// ioapic_vector_base + pin. False if there is no IOAPIC or no such pin.
bool route_ioapic_pin(uint8_t pin);
// End of an interrupt that came through the IOAPIC.
void end_of_interrupt();

} // namespace kernel::apic
