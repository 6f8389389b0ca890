// Every interrupt, exception and system call arrives here with its TrapFrame.
// A fault in user mode is the process's problem: demand paging, or it is killed.
// A fault in kernel mode is the kernel's: a panic.
#include "cocoon/exit_status.h"
#include "cocoon/page_table.h"
#include "cocoon/platform.h"
#include "cocoon/trace.h"
#include "kernel/arch/apic.h"
#include "kernel/arch/console.h"
#include "kernel/arch/cpu.h"
#include "kernel/arch/timer.h"
#include "kernel/arch/x86.h"
#include "kernel/drivers/virtio_blk.h"
#include "kernel/proc/process.h"
#include "kernel/trace.h"
#include "kernel/tty/console.h"

namespace kernel::proc {
void syscall(cpu::TrapFrame& frame);
}

namespace kernel {
namespace {

using namespace cocoon::trace;

// What a page fault's error code says was tried, in the words of the kill reasons.
const char* page_fault_kind(uint64_t error) {
    namespace bits = cocoon::fault_bits;
    if (!(error & bits::present)) return kill_reason_text(kill_unmapped);
    if (error & bits::fetch) return kill_reason_text(kill_exec_nx);
    if (error & bits::write) return kill_reason_text(kill_write_code);
    return "read of a protected page";
}

[[noreturn]] void panic(const char* what, const cpu::TrapFrame& f) {
    if (f.vector == 14)
        kprintf("[kernel] PANIC: %s: page fault: %s at %lx, rip %lx (error %lx, rsp %lx, cr3 %lx)\n", what,
                page_fault_kind(f.error_code), x86::read_cr2(), f.rip, f.error_code, f.rsp, x86::read_cr3());
    else
        kprintf("[kernel] PANIC: %s: exception %lu, error %lx, rip %lx, rsp %lx, cr2 %lx, cr3 %lx\n", what, f.vector,
                f.error_code, f.rip, f.rsp, x86::read_cr2(), x86::read_cr3());
    trace::fault(0, x86::read_cr2(), f.rip, x86::read_cr3(), static_cast<uint32_t>(f.error_code),
                 static_cast<uint16_t>(f.vector), outcome_panic, 0);
    trace::flush();
    x86::outl(cocoon::platform::exit_port, cocoon::guest_status::kernel_panic);
    x86::halt_forever();
}

uint32_t reason_for(uint64_t vector) {
    switch (vector) {
    case 0: return kill_divide_error;
    case 6: return kill_invalid_opcode;
    case 12:  // #SS: what a non-canonical stack address raises instead of #GP
    case 13: return kill_general_protection;
    case 16: return kill_x87_error;
    default: return kill_other_exception;
    }
}

void dispatch(cpu::TrapFrame& f, bool from_user) {
    if (f.vector == cpu::syscall_vector) {
        proc::syscall(f);
        return;
    }
    if (f.vector == timer::irq_base) {
        timer::end_of_interrupt(0);
        drivers::block_poll();
        proc::on_tick();
        return;
    }
    if (f.vector > timer::irq_base && f.vector < timer::irq_base + 16) {
        auto irq = static_cast<uint8_t>(f.vector - timer::irq_base);
        if (irq == cocoon::platform::uart_irq) tty::on_interrupt();
        else drivers::block_interrupt(irq);
        timer::end_of_interrupt(irq);
        return;
    }
    if (f.vector >= apic::ioapic_vector_base && f.vector < apic::ioapic_vector_base + 24u) {
        drivers::block_interrupt(static_cast<uint8_t>(f.vector - apic::ioapic_vector_base));
        apic::end_of_interrupt();
        return;
    }
    if (f.vector >= 32) return;  // spurious
    if (!from_user) panic("in kernel mode", f);
    if (f.vector == 14) {
        proc::handle_user_page_fault(f, x86::read_cr2());
        return;
    }
    proc::kill_current(f, 0, reason_for(f.vector));
}

} // namespace

extern "C" void trap(cpu::TrapFrame* frame) {
    // User code may set AC, and an interrupt or exception keeps it on the way in: SMAP
    // would be off in the kernel until the next clac.
    cpu::user_access_end();
    // The entry stubs clear DF, as the C ABI requires (the compiler's rep stos and movs
    // would run backwards): checked here, since every path into the kernel passes by.
    if (x86::read_rflags() & x86::rflags_df) panic("entered with the direction flag set", *frame);
    bool from_user = (frame->cs & 3) == 3;
    dispatch(*frame, from_user);
    if (from_user) {
        proc::end_if_killed();
        proc::preempt_if_woken();
    }
}

} // namespace kernel
