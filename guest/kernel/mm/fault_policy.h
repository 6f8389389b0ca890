// What a user-mode page fault means: a page to supply (demand-zero heap, stack growth)
// or a rule broken, with the reason the process is killed for. Pure logic, tested on
// the host.
#pragma once
#include <stdint.h>

#include "cocoon/page_table.h"
#include "cocoon/trace.h"

namespace kernel::mm {

namespace fault_bits = cocoon::fault_bits;

struct UserRegions {
    uint64_t heap_start;  // first heap byte (page-aligned)
    uint64_t brk;         // one past the last heap byte
};

enum class FaultAction { demand_zero, stack_growth, kill };

struct FaultDecision {
    FaultAction action;
    uint32_t kill_reason;  // cocoon::trace::KillReason when action == kill
};

FaultDecision decide_user_fault(const UserRegions& regions, uint64_t address, uint32_t error_code);


} // namespace kernel::mm
