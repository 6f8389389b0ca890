#include "vmm/platform/cpuid.h"

#include <algorithm>

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

// Leaves 4 (Intel) and 0x8000001D (AMD) describe a cache each, EAX[25:14] holding how
// many logical CPUs share it, less one: each core has its own L1 and L2, the package's
// cores share the L3. Returns EAX with that field set.
uint32_t cache_sharing(uint32_t eax, uint32_t vcpu_count) {
    uint32_t level = (eax >> 5) & 7;
    uint32_t sharing = level >= 3 ? vcpu_count - 1 : 0;
    return (eax & ~(0xfffu << 14)) | (sharing << 14);
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
        case 0x4:
            // EAX[31:26]: cores in the package, less one (6 bits).
            if ((e.eax & 0x1f) == 0) break;  // the subleaf past the last cache
            e.eax = (cache_sharing(e.eax, vcpu_count) & 0x03ffffff) | (std::min(vcpu_count - 1, 63u) << 26);
            break;
        case 0xb:
        case 0x1f:  // its successor, which Linux prefers when there: the same two levels
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
        case 0x80000008:
            // AMD's core count: ECX[7:0] cores in the package less one, [15:12] the bits
            // of the APIC ID that number the core.
            e.ecx = (e.ecx & ~0xf0ffu) | (bits_for(vcpu_count) << 12) | ((vcpu_count - 1) & 0xff);
            break;
        case 0x8000001d:
            if ((e.eax & 0x1f) != 0) e.eax = cache_sharing(e.eax, vcpu_count);
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
