// What a user-mode page fault means: a page to supply (demand-zero heap, stack growth)
// or a rule broken, with the reason the process is killed for. Pure logic, tested on
// the host.
#pragma once
#include <stdint.h>

#include "cocoon/trace.h"

namespace kernel::mm {

namespace fault_bits {
inline constexpr uint32_t present = 1;   // the page was present: a protection violation
inline constexpr uint32_t write = 2;
inline constexpr uint32_t user = 4;
inline constexpr uint32_t reserved = 8;
inline constexpr uint32_t fetch = 16;    // instruction fetch
} // namespace fault_bits

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
