#include "kernel/arch/timer.h"

#include "cocoon/platform.h"
#include "kernel/arch/apic.h"
#include "kernel/arch/x86.h"

namespace kernel::timer {
namespace {
volatile uint64_t tick_count = 0;
uint64_t boot_tsc = 0;
uint64_t tsc_per_ms = 0;

void wait_for_tick() {
    uint64_t now = tick_count;
    while (tick_count == now) asm volatile("sti; hlt; cli" ::: "memory");
}

} // namespace

void init() {
    using x86::outb;
    // Without a BIOS nobody put the local APIC in virtual-wire mode, and an emulated
    // APIC left at reset (LINT0 masked) drops the PIC's interrupts, on or off.
    apic::enable_virtual_wire();
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

void unmask_irq(uint8_t irq) {
    if (irq >= 16) return;
    uint16_t port = irq < 8 ? 0x21 : 0xa1;
    x86::outb(port, static_cast<uint8_t>(x86::inb(port) & ~(1u << (irq & 7))));
    if (irq >= 8) x86::outb(0x21, static_cast<uint8_t>(x86::inb(0x21) & ~(1u << 2)));  // the cascade
}

void calibrate_tsc() {
    constexpr uint64_t ms = 20;
    wait_for_tick();
    uint64_t start = x86::rdtsc();
    for (uint64_t i = 0; i < ms * hz / 1000; ++i) wait_for_tick();
    tsc_per_ms = (x86::rdtsc() - start) / ms;
    boot_tsc = start - tsc_per_ms * (tick_count * 1000 / hz);
}

uint64_t ms_since(uint64_t tsc) { return tsc_per_ms ? (x86::rdtsc() - tsc) / tsc_per_ms : 0; }

uint64_t tsc_to_us(uint64_t cycles) { return tsc_per_ms ? cycles * 1000 / tsc_per_ms : 0; }

uint64_t uptime_ms() { return tsc_per_ms ? (x86::rdtsc() - boot_tsc) / tsc_per_ms : tick_count * 1000 / hz; }

uint64_t uptime_us() { return tsc_per_ms ? tsc_to_us(x86::rdtsc() - boot_tsc) : tick_count * 1000000 / hz; }

uint64_t ticks() { return tick_count; }
void tick() { tick_count = tick_count + 1; }

} // namespace kernel::timer
