// What CPUID says to each vCPU: KVM's supported leaves, with the topology a real
// machine of `vcpu_count` CPUs would report and this vCPU's APIC ID in it (KVM leaves
// that to the VMM: without it every vCPU reports the host CPU's APIC ID, and Linux says
// "APIC id mismatch"). The APIC ID is the vCPU's index, as KVM's local APIC has it.
#pragma once
#include <cstdint>
#include <vector>

#include <linux/kvm.h>

namespace cocoon::vmm {

std::vector<kvm_cpuid_entry2> guest_cpuid(std::vector<kvm_cpuid_entry2> supported, uint32_t vcpu_index,
                                          uint32_t vcpu_count);

} // namespace cocoon::vmm
