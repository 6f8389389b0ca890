#include "kernel/arch/cpu.h"

#include "kernel/arch/x86.h"

extern "C" uint64_t isr_table[256];
extern "C" void syscall_entry();
extern "C" uint64_t syscall_kernel_stack;

namespace kernel::cpu {
namespace {

struct [[gnu::packed]] Tss {
    uint32_t reserved0;
    uint64_t rsp0, rsp1, rsp2;
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3, iomap_base;
};

struct [[gnu::packed]] IdtEntry {
    uint16_t offset_low, selector;
    uint8_t ist, type;
    uint16_t offset_mid;
    uint32_t offset_high, reserved;
};

struct [[gnu::packed]] TablePointer {
    uint16_t limit;
    uint64_t base;
};

Tss tss;
uint64_t gdt[7];
IdtEntry idt[256];
Features cpu_features;

void load_gdt() {
    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffff;  // kernel code, 64-bit
    gdt[2] = 0x00cf92000000ffff;  // kernel data
    gdt[3] = 0x00cff2000000ffff;  // user data (DPL 3)
    gdt[4] = 0x00affa000000ffff;  // user code, 64-bit (DPL 3)
    uint64_t base = reinterpret_cast<uint64_t>(&tss);
    uint64_t limit = sizeof(Tss) - 1;
    gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) | (((base >> 24) & 0xff) << 56);
    gdt[6] = base >> 32;
    tss.iomap_base = sizeof(Tss);  // no I/O bitmap: every port is privileged
    TablePointer p{sizeof gdt - 1, reinterpret_cast<uint64_t>(gdt)};
    asm volatile("lgdt %0" ::"m"(p));
    asm volatile(
        "mov %0, %%ds; mov %0, %%es; mov %0, %%ss; xor %%eax, %%eax; mov %%ax, %%fs; mov %%ax, %%gs\n"
        "pushq %1; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:"
        ::"r"(uint64_t{kernel_ds}), "i"(uint64_t{kernel_cs}) : "rax", "memory");
    asm volatile("ltr %w0" ::"r"(uint16_t{0x28}));
    // A null LDT: at reset LDTR is base 0, limit 0xffff, so a selector with the table bit
    // set would make the CPU read descriptors (call gates, ring-0 code) from user memory.
    // With a null one, any such selector is a #GP.
    asm volatile("lldt %w0" ::"r"(uint16_t{0}));
}

void load_idt() {
    for (int v = 0; v < 256; ++v) {
        uint64_t handler = isr_table[v];
        idt[v] = IdtEntry{static_cast<uint16_t>(handler), kernel_cs, 0, 0x8e,  // interrupt gate, DPL 0
                          static_cast<uint16_t>(handler >> 16), static_cast<uint32_t>(handler >> 32), 0};
    }
    TablePointer p{sizeof idt - 1, reinterpret_cast<uint64_t>(idt)};
    asm volatile("lidt %0" ::"m"(p));
}

void enable_features(bool use_pcid) {
    uint32_t a, b, c, d;
    x86::cpuid(7, 0, &a, &b, &c, &d);
    cpu_features.smep = b & (1u << 7);
    cpu_features.smap = b & (1u << 20);
    x86::cpuid(1, 0, &a, &b, &c, &d);
    cpu_features.pcid = use_pcid && (c & (1u << 17));
    cpu_features.nx = true;  // set in EFER at boot; x86-64 CPUs have it
    uint64_t cr4 = x86::read_cr4();
    if (cpu_features.smep) cr4 |= 1ull << 20;
    if (cpu_features.smap) cr4 |= 1ull << 21;
    if (cpu_features.pcid && (x86::read_cr3() & 0xfff) == 0) cr4 |= 1ull << 17;
    x86::write_cr4(cr4);
}

void setup_syscall() {
    constexpr uint32_t efer = 0xc0000080, star = 0xc0000081, lstar = 0xc0000082, fmask = 0xc0000084;
    x86::wrmsr(efer, x86::rdmsr(efer) | 1);  // SCE
    // sysretq takes its selectors from base 0x10: SS = 0x18|3, CS = 0x20|3.
    x86::wrmsr(star, (uint64_t{0x10 | 3} << 48) | (uint64_t{kernel_cs} << 32));
    x86::wrmsr(lstar, reinterpret_cast<uint64_t>(&syscall_entry));
    // Cleared on entry: IF, DF, TF, AC, and NT — with NT set (user code may set it) the
    // kernel's next iretq would raise #GP in ring 0 instead of returning.
    x86::wrmsr(fmask, 0x44700);
}

} // namespace

void init(bool use_pcid) {
    load_gdt();
    load_idt();
    enable_features(use_pcid);
    setup_syscall();
}

const Features& features() { return cpu_features; }

void set_kernel_stack(uint64_t top) {
    tss.rsp0 = top;
    syscall_kernel_stack = top;
}

} // namespace kernel::cpu
