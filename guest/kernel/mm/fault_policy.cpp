#include "kernel/mm/fault_policy.h"

#include "kernel/layout.h"

namespace kernel::mm {

using namespace cocoon::trace;

FaultDecision decide_user_fault(const UserRegions& r, uint64_t address, uint32_t error_code) {
    auto kill = [](uint32_t reason) { return FaultDecision{FaultAction::kill, reason}; };
    if (address >= layout::user_top) return kill(kill_kernel_access);
    if (error_code & fault_bits::present) {
        if (error_code & fault_bits::fetch) return kill(kill_exec_nx);
        if (error_code & fault_bits::write) return kill(kill_write_code);
        return kill(kill_other_exception);
    }
    if (address < layout::page_size) return kill(kill_null_deref);
    bool in_heap = address >= r.heap_start && address < r.brk;
    bool in_stack = address >= layout::user_stack_lowest && address < layout::user_stack_top;
    if (error_code & fault_bits::fetch) return kill(in_heap || in_stack ? kill_exec_nx : kill_unmapped);
    if (in_heap) return {FaultAction::demand_zero, kill_none};
    if (in_stack) return {FaultAction::stack_growth, kill_none};
    if (address >= layout::user_guard_lowest && address < layout::user_stack_lowest)
        return kill(kill_stack_guard);
    return kill(kill_unmapped);
}

} // namespace kernel::mm
