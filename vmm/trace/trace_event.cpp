#include "vmm/trace/trace_event.h"

#include <cstring>
#include <string_view>

#include "vmm/log/guest_text.h"

namespace cocoon::vmm {
namespace {

using namespace event;

// Each switch below is over one of the contract's enums with every enumerator named and
// no default: a code the contract adds is a compile error here until it is decoded. A
// number it does not name falls out of the switch into the unknown alternative.

KillReason kill_reason(uint32_t code) {
    const auto reason = static_cast<trace::KillReason>(code);
    switch (reason) {
    case trace::kill_none: break;  // a kill that gives no reason
    case trace::kill_null_deref:
    case trace::kill_write_code:
    case trace::kill_exec_nx:
    case trace::kill_kernel_access:
    case trace::kill_stack_guard:
    case trace::kill_unmapped:
    case trace::kill_general_protection:
    case trace::kill_divide_error:
    case trace::kill_invalid_opcode:
    case trace::kill_out_of_memory:
    case trace::kill_other_exception:
    case trace::kill_by_parent:
    case trace::kill_x87_error:
    case trace::kill_interrupted: return reason;
    }
    return UnknownReason{code};
}

Outcome outcome(const trace::FaultEvent& f) {
    switch (static_cast<trace::FaultOutcome>(f.outcome)) {
    case trace::outcome_demand_zero: return PageSupplied{PageSource::demand_zero};
    case trace::outcome_stack_growth: return PageSupplied{PageSource::stack_growth};
    case trace::outcome_swap_in: return PageSupplied{PageSource::swap};
    case trace::outcome_killed: return Killed{kill_reason(f.kill_reason)};
    case trace::outcome_panic: return KernelPanic{};
    }
    return UnknownOutcome{f.outcome};
}

SwitchReason switch_reason(uint32_t code) {
    switch (static_cast<trace::SwitchReason>(code)) {
    case trace::switch_quantum: return SwitchReason::quantum_expired;
    case trace::switch_yield: return SwitchReason::yielded;
    case trace::switch_block: return SwitchReason::blocked;
    case trace::switch_exit: return SwitchReason::exited;
    case trace::switch_first: return SwitchReason::first_run;
    case trace::switch_preempted: return SwitchReason::preempted;
    }
    return SwitchReason::unknown;
}

// The kernel NUL-pads the name and may not terminate it.
std::string name(const trace::ProcessEvent& p) {
    return guest_text(std::string_view(p.name, strnlen(p.name, sizeof p.name)));
}

FrameCounts frames(const trace::FramesEvent& f) { return {f.total, f.free, f.swap_total, f.swap_used}; }

What what(const trace::Record& r) {
    switch (static_cast<trace::Kind>(r.kind)) {
    case trace::kind_boot: return Boot{frames(r.frames)};
    case trace::kind_spawn: return Spawn{name(r.proc), r.proc.cr3, r.proc.parent, r.proc.table_pages};
    case trace::kind_exit: {
        std::optional<KillReason> killed;
        if (r.proc.kill_reason != trace::kill_none) killed = kill_reason(r.proc.kill_reason);
        return Exit{name(r.proc), r.proc.cr3, r.proc.status, killed, r.proc.peak_pages, r.proc.table_pages};
    }
    case trace::kind_switch: return Switch{r.sw.from, r.sw.to, switch_reason(r.sw.reason)};
    case trace::kind_fault: {
        const trace::FaultEvent& f = r.fault;
        constexpr uint16_t page_fault = 14;  // #PF, the one exception whose error code says what the access was
        std::optional<uint32_t> error_code;
        if (f.vector == page_fault) error_code = f.error_code;
        return Fault{f.address, f.rip, f.cr3, f.vector, error_code, outcome(f)};
    }
    case trace::kind_frames: return Frames{frames(r.frames)};
    case trace::kind_disk:
        return Disk{r.disk.device, r.disk.op, r.disk.status, r.disk.sector, r.disk.bytes, r.disk.latency_tsc};
    case trace::kind_page_out: return PageOut{r.swap.vaddr, r.swap.slot, r.swap.frame, r.swap.dirty != 0};
    case trace::kind_page_in: return PageIn{r.swap.vaddr, r.swap.slot, r.swap.frame};
    }
    return UnknownKind{r.kind};
}

} // namespace

TraceEvent decode(const trace::Record& r) { return {r.seq, r.tsc, r.cpu, r.pid, what(r)}; }

} // namespace cocoon::vmm
