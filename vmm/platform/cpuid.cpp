#include "vmm/platform/cpuid.h"

namespace cocoon::vmm {
namespace {

constexpr uint32_t hypervisor_bit = 1u << 31;  // leaf 1 ECX: running under a hypervisor
constexpr uint32_t htt_bit = 1u << 28;         // leaf 1 EDX: the count in EBX[23:16] is valid

// Bits needed to number `count` items: the shift from one topology level to the next.
uint32_t bits_for(uint32_t count) {
    uint32_t bits = 0;
    while ((1u << bits) < count) ++bits;
    return bits;
}

} // namespace

std::vector<kvm_cpuid_entry2> guest_cpuid(std::vector<kvm_cpuid_entry2> entries, uint32_t vcpu_index,
                                          uint32_t vcpu_count) {
    const uint32_t apic_id = vcpu_index;
    for (auto& e : entries) {
        switch (e.function) {
        case 0x1:
            // EBX: [31:24] initial APIC ID, [23:16] logical processors in the package,
            // [15:8] CLFLUSH line size (kept), [7:0] brand index (kept).
            e.ebx = (apic_id << 24) | ((vcpu_count & 0xff) << 16) | (e.ebx & 0xffff);
            e.ecx |= hypervisor_bit;
            e.edx = vcpu_count > 1 ? e.edx | htt_bit : e.edx & ~htt_bit;
            break;
        case 0xb:
            // Extended topology: one thread per core (level 0, SMT), all cores in one
            // package (level 1); EDX is the x2APIC ID on every subleaf.
            if (e.index == 0) {
                e.eax = 0, e.ebx = 1, e.ecx = (1u << 8) | 0;
            } else if (e.index == 1) {
                e.eax = bits_for(vcpu_count), e.ebx = vcpu_count, e.ecx = (2u << 8) | 1;
            } else {
                e.eax = 0, e.ebx = 0, e.ecx = e.index;
            }
            e.edx = apic_id;
            break;
        case 0x8000001e:
            // AMD's extended APIC ID, and this core's ID (one thread per core).
            e.eax = apic_id, e.ebx = vcpu_index & 0xff, e.ecx = 0, e.edx = 0;
            break;
        default: break;
        }
    }
    return entries;
}

} // namespace cocoon::vmm
