// What CPUID says to each vCPU: KVM's supported leaves, with the topology a real
// machine of `vcpu_count` CPUs would report and this vCPU's APIC ID in it (KVM leaves
// that to the VMM: without it every vCPU reports the host CPU's APIC ID, and Linux says
// "APIC id mismatch"). The APIC ID is the vCPU's index, as KVM's local APIC has it. The
// machine is one package of single-threaded cores, each with its own L1 and L2 and all
// sharing the L3, in every leaf that says so (1, 4, 0xB, 0x1F on Intel; 0x80000008,
// 0x8000001D, 0x8000001E on AMD), not the host's.
#pragma once
#include <cstdint>
#include <vector>

#include <linux/kvm.h>

namespace cocoon::vmm {

std::vector<kvm_cpuid_entry2> guest_cpuid(std::vector<kvm_cpuid_entry2> supported, uint32_t vcpu_index,
                                          uint32_t vcpu_count);

} // namespace cocoon::vmm
