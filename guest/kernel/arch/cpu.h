// The CPU's tables and modes: GDT with a TSS, IDT, the syscall MSRs, SMEP/SMAP/PCID.
#pragma once
#include <stdint.h>

namespace kernel::cpu {

inline constexpr uint16_t kernel_cs = 0x08, kernel_ds = 0x10;
inline constexpr uint16_t user_ds = 0x18 | 3, user_cs = 0x20 | 3;

// What the trap stubs push: general registers, vector and error code, then the CPU's
// own interrupt frame. Syscalls build the same frame.
struct TrapFrame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

inline constexpr uint64_t syscall_vector = 0x80;

struct Features {
    bool smep, smap, pcid, nx;
};

// GDT, TSS, IDT, syscall MSRs, CR4 features; without use_pcid every CR3 write flushes
// the TLB, as on a CPU without PCID.
void init(bool use_pcid = true);
const Features& features();
void set_kernel_stack(uint64_t top);  // TSS.rsp0 and the syscall entry's stack

// SMAP: kernel access to user pages only between these.
inline void user_access_begin() {
    if (features().smap) asm volatile("stac" ::: "memory");
}
inline void user_access_end() {
    if (features().smap) asm volatile("clac" ::: "memory");
}

} // namespace kernel::cpu
