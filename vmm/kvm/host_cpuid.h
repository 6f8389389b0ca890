// CPUID for the guest when KVM_GET_SUPPORTED_CPUID is refused (as it is by some
// nested KVMs): the leaves this CPU reports, with their subleaves, so that KVM lets
// the guest use long mode, NX, PCID, SMEP and SMAP as the CPU can.
#pragma once
#include <linux/kvm.h>

#include <vector>

namespace cocoon::vmm {

std::vector<kvm_cpuid_entry2> host_cpuid_entries();

} // namespace cocoon::vmm
