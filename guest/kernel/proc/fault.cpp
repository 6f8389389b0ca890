// A user page fault, as docs/kernel.md tells it: a page in swap comes back; otherwise
// the fault policy decides between a new zeroed page (heap, stack growth) and a kill,
// and a kill says why.
#include "cocoon/page_table.h"
#include "cocoon/trace.h"
#include "kernel/arch/console.h"
#include "kernel/kmem.h"
#include "kernel/mm/fault_policy.h"
#include "kernel/proc/paging.h"
#include "kernel/proc/process_table.h"
#include "kernel/trace.h"

namespace kernel::proc {
namespace {

using namespace cocoon::trace;
namespace pte = mm::pte;
namespace fault_bits = cocoon::fault_bits;
using shared::page_down;
using shared::running;

} // namespace

bool handle_user_page_fault(cpu::TrapFrame& frame, uint64_t address) {
    Process* p = running;
    ++p->faults;
    uint64_t* entry = p->space.leaf(page_down(address));
    if (entry && mm::is_swapped(*entry)) {
        if (!swap_in(*p, page_down(address)).ok()) kill_current(frame, address, kill_out_of_memory);
        trace::fault(static_cast<uint32_t>(p->pid), address, frame.rip, p->space.root(),
                     static_cast<uint32_t>(frame.error_code), 14, outcome_swap_in, kill_none);
        return true;
    }
    auto decision = mm::decide_user_fault({p->heap_start, p->brk}, address, static_cast<uint32_t>(frame.error_code));
    if (decision.action == mm::FaultAction::kill) kill_current(frame, address, decision.kill_reason);
    auto allocated = frames().allocate();
    if (!allocated.ok()) kill_current(frame, address, kill_out_of_memory);
    if (!p->space.map(page_down(address), allocated.value(), pte::user | pte::writable | pte::no_execute).ok()) {
        frames().free(allocated.value());
        kill_current(frame, address, kill_out_of_memory);
    }
    uint16_t outcome = decision.action == mm::FaultAction::stack_growth ? outcome_stack_growth : outcome_demand_zero;
    trace::fault(static_cast<uint32_t>(p->pid), address, frame.rip, p->space.root(),
                 static_cast<uint32_t>(frame.error_code), 14, outcome, kill_none);
    return true;
}

void kill_current(const cpu::TrapFrame& frame, uint64_t address, uint32_t reason) {
    Process* p = running;
    uint32_t e = static_cast<uint32_t>(frame.error_code);
    if (frame.vector == 14)
        kprintf("[kernel] killed %s (pid %d): %s at %lx, rip %lx (%s, %s, %s%s)\n", p->name, p->pid,
                kill_reason_text(reason), address, frame.rip, e & fault_bits::present ? "present" : "not present",
                e & fault_bits::write ? "write" : "read", e & fault_bits::user ? "user" : "kernel",
                e & fault_bits::fetch ? ", instruction fetch" : "");
    else if (frame.vector >= 10 && frame.vector <= 13 && e)  // the error code names a descriptor
        kprintf("[kernel] killed %s (pid %d): %s (vector %lu, %s 0x%x) at rip %lx\n", p->name, p->pid,
                kill_reason_text(reason), frame.vector, e & 2 ? "IDT vector" : e & 4 ? "LDT selector" : "GDT selector",
                e & 2 ? e >> 3 : e & ~3u, frame.rip);
    else
        kprintf("[kernel] killed %s (pid %d): %s (vector %lu) at rip %lx\n", p->name, p->pid,
                kill_reason_text(reason), frame.vector, frame.rip);
    trace::fault(static_cast<uint32_t>(p->pid), address, frame.rip, p->space.root(), e,
                 static_cast<uint16_t>(frame.vector), outcome_killed, reason);
    exit_current(-1, reason);
}

} // namespace kernel::proc
