// The names of KVM's exit reasons (kvm_run.exit_reason), as the summary and the log
// lines of an unexpected exit spell them.
#pragma once
#include <cstdint>

namespace cocoon::vmm {

// "io", "mmio", "shutdown", ...; "other" for a reason cocoon has no name for.
const char* exit_reason_name(uint32_t reason);

} // namespace cocoon::vmm
