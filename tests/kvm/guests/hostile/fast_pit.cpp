// fast_pit: the PIT at its fastest — channel 0 with divisor 1 (1.19 MHz) — first in
// mode 3 with interrupts off for half a second, reading the counter all the while, then
// in mode 2 with interrupts on for a second, counting ticks, then mode 0 re-armed with
// divisor 1 two thousand times. Prints what it counted and exits 0.
#include "hostile/common.h"

using namespace hostile;

extern "C" {
volatile uint64_t fast_pit_ticks = 0;
volatile uint64_t fast_pit_spurious = 0;
void fast_pit_tick();
void fast_pit_spurious_entry();
}

asm(R"(
    .text
fast_pit_tick:
    lock incq fast_pit_ticks(%rip)
    push %rax
    mov $0x20, %al
    out %al, $0x20
    pop %rax
    iretq
fast_pit_spurious_entry:
    lock incq fast_pit_spurious(%rip)
    iretq
)");

namespace {

struct IdtEntry {
    uint16_t offset_low, selector;
    uint8_t ist, type;
    uint16_t offset_mid;
    uint32_t offset_high, reserved;
};
IdtEntry idt[256];

void set_gate(int vector, void (*handler)()) {
    auto a = reinterpret_cast<uint64_t>(handler);
    idt[vector] = {static_cast<uint16_t>(a), 8, 0, 0x8e, static_cast<uint16_t>(a >> 16),
                   static_cast<uint32_t>(a >> 32), 0};
}

void pit_program(uint8_t mode) {
    outb(cocoon::platform::pit_port + 3, static_cast<uint8_t>(0x30 | mode << 1));  // channel 0, lobyte then hibyte
    outb(cocoon::platform::pit_port, 1);
    outb(cocoon::platform::pit_port, 0);
}

} // namespace

extern "C" int guest_main(uint32_t) {
    set_gate(0x20, fast_pit_tick);
    set_gate(0x27, fast_pit_spurious_entry);
    set_gate(0xff, fast_pit_spurious_entry);
    struct [[gnu::packed]] {
        uint16_t limit;
        uint64_t base;
    } idtr{sizeof idt - 1, reinterpret_cast<uint64_t>(idt)};
    asm volatile("lidt %0" ::"m"(idtr));
    // The local APIC in virtual-wire mode, the PIC at vectors 0x20/0x28, IRQ 0 alone.
    mmio_write<uint32_t>(0xfee000f0, 0x1ff);
    mmio_write<uint32_t>(0xfee00080, 0);
    mmio_write<uint32_t>(0xfee00350, 7u << 8);
    static const uint16_t pic_init[][2] = {{0x20, 0x11}, {0xa0, 0x11}, {0x21, 0x20}, {0xa1, 0x28}, {0x21, 0x04},
                                           {0xa1, 0x02}, {0x21, 0x01}, {0xa1, 0x01}, {0x21, 0xfe}, {0xa1, 0xff}};
    for (const auto& w : pic_init) outb(w[0], static_cast<uint8_t>(w[1]));

    pit_program(3);
    uint64_t start = now_ms(), reads = 0;
    while (now_ms() - start < 500) {
        outb(cocoon::platform::pit_port + 3, 0x00);  // latch channel 0
        (void)inb(cocoon::platform::pit_port);
        (void)inb(cocoon::platform::pit_port);
        ++reads;
    }
    print("fast_pit: mode 3, divisor 1, interrupts off for 500 ms: ");
    print_dec(reads);
    println(" counter reads");

    pit_program(2);
    start = now_ms();
    uint64_t first = fast_pit_ticks;
    while (now_ms() - start < 1000) asm volatile("sti; hlt; cli" ::: "memory");
    uint64_t ticks = fast_pit_ticks - first;
    print("fast_pit: mode 2, divisor 1, interrupts on for 1000 ms: ");
    print_dec(ticks);
    println(" ticks");

    first = fast_pit_ticks;
    for (int i = 0; i < 2000; ++i) {
        pit_program(0);
        asm volatile("sti; nop; cli" ::: "memory");
    }
    outb(cocoon::platform::pit_port + 3, 0x30);  // mode 0, no count: channel 0 stops
    asm volatile("sti; nop; cli" ::: "memory");
    print("fast_pit: mode 0 re-armed 2000 times: ");
    print_dec(fast_pit_ticks - first);
    print(" ticks; ");
    print_dec(fast_pit_spurious);
    println(" spurious");
    println("survived");
    return 0;
}
