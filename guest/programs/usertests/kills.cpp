// Misdeeds, each in a ut_child of its own: the kernel must kill the child for the right
// reason, give back every frame, and go on. The case is named "<misdeed> killed
// (<reason>[ or <reason>])" so that the KVM test can match it with cocoon's log line
// for that child.
#include "suite.h"

namespace ut {
namespace {

struct Expected {
    const char* misdeed;  // ut_child's argument
    uint32_t reason;
    uint32_t also = trace::kill_none;  // where CPUs (and emulators) differ
};

// QEMU's TCG (also what runs KVM's guest in the nested runner) pops a far return's
// frame with supervisor rights: under SMAP that is a #PF on the user's stack where a
// CPU raises #GP for the ring-0 selector. Either way the process dies.
constexpr uint32_t tcg_far_return = trace::kill_other_exception;

const Expected expected[] = {
    {"read-kernel", trace::kill_kernel_access},
    {"write-kernel", trace::kill_kernel_access},
    {"exec-kernel", trace::kill_kernel_access},
    {"read-page-tables", trace::kill_kernel_access},
    {"write-page-tables", trace::kill_kernel_access},
    {"exec-page-tables", trace::kill_kernel_access},
    {"read-non-canonical", trace::kill_general_protection},
    {"null-read", trace::kill_null_deref},
    {"null-write", trace::kill_null_deref},
    {"null-call", trace::kill_null_deref},
    {"write-code", trace::kill_write_code},
    {"write-rodata", trace::kill_write_code},
    {"exec-stack", trace::kill_exec_nx},
    {"exec-heap", trace::kill_exec_nx},
    {"exec-data", trace::kill_exec_nx},
    {"exec-unmapped", trace::kill_unmapped},
    {"stack-overflow", trace::kill_stack_guard},
    // No page at the top of the user half can hold code (the ELF loader keeps segments
    // below the stack, the stack is no-execute), so a `syscall` whose return address is
    // non-canonical cannot be staged; these are the nearest: a jump to the first
    // non-canonical address, one to the last bytes of the user half, a forged return
    // into the kernel, and system calls made with the stack pointer in the kernel half
    // or non-canonical (sysretq restores it; the next push faults in user mode).
    {"jump-non-canonical", trace::kill_general_protection},
    {"jump-top-of-user-half", trace::kill_unmapped},
    {"return-to-kernel", trace::kill_kernel_access},
    {"syscall-kernel-rsp", trace::kill_kernel_access},
    {"syscall-non-canonical-rsp", trace::kill_general_protection},
    {"iretq-to-ring0", trace::kill_general_protection, tcg_far_return},
    {"lret-to-ring0", trace::kill_general_protection, tcg_far_return},
    {"load-kernel-ss", trace::kill_general_protection},
    {"ldt-selector", trace::kill_general_protection},
    {"ldt-far-call", trace::kill_general_protection},
    {"cli", trace::kill_general_protection},
    {"sti", trace::kill_general_protection},
    {"hlt", trace::kill_general_protection},
    {"in", trace::kill_general_protection},
    {"out", trace::kill_general_protection},
    {"mov-to-cr3", trace::kill_general_protection},
    {"mov-from-cr0", trace::kill_general_protection},
    {"mov-to-dr7", trace::kill_general_protection},
    {"wrmsr-lstar", trace::kill_general_protection},
    {"rdmsr-lstar", trace::kill_general_protection},
    {"lgdt", trace::kill_general_protection},
    {"lidt", trace::kill_general_protection},
    {"ltr", trace::kill_general_protection},
    {"invlpg", trace::kill_general_protection},
    {"wbinvd", trace::kill_general_protection},
    {"clts", trace::kill_general_protection},
    {"swapgs", trace::kill_general_protection},
    {"sysretq", trace::kill_general_protection},
    {"int-0x80", trace::kill_general_protection},  // the IDT's gates are kernel-only
    {"int3", trace::kill_general_protection},
    {"divide-by-zero", trace::kill_divide_error},
    {"ud2", trace::kill_invalid_opcode},
    {"icebp", trace::kill_other_exception, trace::kill_invalid_opcode},  // #DB (no gate check); #UD on TCG
    {"sse", trace::kill_invalid_opcode},  // CR4.OSFXSR is off: no SSE state to leak between processes
    {"x87-unmasked-exception", trace::kill_x87_error},
    {"single-step-syscall", trace::kill_other_exception},
};

} // namespace

void kill_cases() {
    for (const Expected& e : expected) {
        char name[128];
        int n = snprintf(name, sizeof name, "%s killed (%s", e.misdeed, trace::kill_reason_text(e.reason));
        if (e.also) n += snprintf(name + n, sizeof name - n, " or %s", trace::kill_reason_text(e.also));
        snprintf(name + n, sizeof name - n, ")");
        expect_killed(name, e.misdeed, e.reason, e.also);
    }
}

} // namespace ut
