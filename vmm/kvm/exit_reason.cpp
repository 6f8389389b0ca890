#include "vmm/kvm/exit_reason.h"

#include <linux/kvm.h>

namespace cocoon::vmm {

const char* exit_reason_name(uint32_t reason) {
    switch (reason) {
    case KVM_EXIT_IO: return "io";
    case KVM_EXIT_MMIO: return "mmio";
    case KVM_EXIT_HLT: return "hlt";
    case KVM_EXIT_SHUTDOWN: return "shutdown";
    case KVM_EXIT_FAIL_ENTRY: return "fail_entry";
    case KVM_EXIT_INTERNAL_ERROR: return "internal_error";
    case KVM_EXIT_INTR: return "intr";
    case KVM_EXIT_SYSTEM_EVENT: return "system_event";
    case KVM_EXIT_DEBUG: return "debug";
    default: return "other";
    }
}

} // namespace cocoon::vmm
