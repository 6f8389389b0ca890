#include "kernel/arch/timer.h"

#include "cocoon/platform.h"
#include "kernel/arch/x86.h"

namespace kernel::timer {
namespace {
volatile uint64_t tick_count = 0;
}

void init() {
    using x86::outb;
    // Without a BIOS nobody put the local APIC in virtual-wire mode, so the PIC's
    // interrupts would be dropped; with the local APIC off they go straight to the CPU.
    constexpr uint32_t apic_base_msr = 0x1b;
    x86::wrmsr(apic_base_msr, x86::rdmsr(apic_base_msr) & ~(1ull << 11));
    // ICW1..ICW4: cascade, vectors 0x20 and 0x28, 8086 mode; then mask all but IRQ 0.
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, irq_base);
    outb(0xa1, irq_base + 8);
    outb(0x21, 0x04);
    outb(0xa1, 0x02);
    outb(0x21, 0x01);
    outb(0xa1, 0x01);
    outb(0x21, 0xfe);
    outb(0xa1, 0xff);
    // Channel 0, lobyte/hibyte, mode 2 (rate generator).
    uint16_t divisor = static_cast<uint16_t>(cocoon::platform::pit_hz / hz);
    outb(cocoon::platform::pit_port + 3, 0x34);
    outb(cocoon::platform::pit_port, divisor & 0xff);
    outb(cocoon::platform::pit_port, divisor >> 8);
}

void end_of_interrupt(uint8_t irq) {
    if (irq >= 8) x86::outb(0xa0, 0x20);
    x86::outb(0x20, 0x20);
}

uint64_t ticks() { return tick_count; }
void tick() { tick_count = tick_count + 1; }

} // namespace kernel::timer
