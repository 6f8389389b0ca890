#include "vmm/kvm/host_cpuid.h"

#include <cpuid.h>

#include <cstdint>

namespace cocoon::vmm {
namespace {

kvm_cpuid_entry2 leaf(uint32_t function, uint32_t index, bool indexed) {
    kvm_cpuid_entry2 e{};
    e.function = function;
    e.index = index;
    e.flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
    __cpuid_count(function, index, e.eax, e.ebx, e.ecx, e.edx);
    return e;
}

// Leaves whose ECX selects a subleaf, and how many subleaves to copy.
uint32_t subleaves(uint32_t function) {
    switch (function) {
    case 0x4: case 0x7: case 0xb: case 0x8000001d: return 8;
    case 0xd: return 64;
    default: return 0;
    }
}

void add_range(std::vector<kvm_cpuid_entry2>& out, uint32_t first) {
    uint32_t last = leaf(first, 0, false).eax;
    if (last < first || last - first > 0x40) last = first;  // absent or implausible range
    for (uint32_t f = first; f <= last; ++f) {
        uint32_t n = subleaves(f);
        if (n == 0) {
            out.push_back(leaf(f, 0, false));
            continue;
        }
        for (uint32_t i = 0; i < n; ++i) out.push_back(leaf(f, i, true));
    }
}

} // namespace

std::vector<kvm_cpuid_entry2> host_cpuid_entries() {
    std::vector<kvm_cpuid_entry2> out;
    add_range(out, 0);
    add_range(out, 0x80000000);
    for (auto& e : out)
        if (e.function == 1) e.ecx |= 1u << 31;  // "running under a hypervisor"
    return out;
}

} // namespace cocoon::vmm
