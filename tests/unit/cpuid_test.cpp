// CPUID per vCPU: each vCPU's APIC ID where Linux reads it, the topology of the machine.
#include <gtest/gtest.h>

#include "vmm/platform/cpuid.h"

using cocoon::vmm::guest_cpuid;

namespace {

kvm_cpuid_entry2 entry(uint32_t function, uint32_t index, uint32_t ebx = 0, uint32_t ecx = 0, uint32_t edx = 0) {
    kvm_cpuid_entry2 e{};
    e.function = function;
    e.index = index;
    e.ebx = ebx, e.ecx = ecx, e.edx = edx;
    return e;
}

// What KVM hands over: the host's leaf 1 (its own APIC ID 7 in EBX, a CLFLUSH size of 8)
// and topology leaves.
std::vector<kvm_cpuid_entry2> supported() {
    return {entry(0x1, 0, 0x07100800, 0x1, 1u << 28), entry(0xb, 0, 0, 0, 7), entry(0xb, 1, 0, 0, 7),
            entry(0xb, 2, 0, 0, 7), entry(0x1f, 0, 0, 0, 7), entry(0x1f, 1, 0, 0, 7), entry(0x1f, 2, 0, 0, 7),
            entry(0x8000001e, 0, 0, 0, 0), entry(0x7, 0, 0x1234)};
}

// A host of 16 cores, two threads each: its caches (type 1 data, 3 unified) and core count.
std::vector<kvm_cpuid_entry2> caches() {
    auto cache = [](uint32_t function, uint32_t index, uint32_t level, uint32_t type, uint32_t sharing) {
        kvm_cpuid_entry2 e = entry(function, index, 0x01c0003f);
        e.eax = (15u << 26) | (sharing << 14) | (1u << 8) | (level << 5) | type;
        return e;
    };
    return {cache(0x4, 0, 1, 1, 1), cache(0x4, 1, 2, 3, 1), cache(0x4, 2, 3, 3, 31), entry(0x4, 3),
            cache(0x8000001d, 0, 1, 1, 1), cache(0x8000001d, 1, 3, 3, 31), entry(0x80000008, 0, 0, 0x700f)};
}

const kvm_cpuid_entry2& find(const std::vector<kvm_cpuid_entry2>& entries, uint32_t function, uint32_t index = 0) {
    for (const auto& e : entries)
        if (e.function == function && e.index == index) return e;
    throw std::runtime_error("no such leaf");
}

TEST(Cpuid, EachVcpuReportsItsOwnApicIdInLeaves1And0xB) {
    for (uint32_t vcpu = 0; vcpu < 4; ++vcpu) {
        auto cpuid = guest_cpuid(supported(), vcpu, 4);
        EXPECT_EQ(find(cpuid, 0x1).ebx >> 24, vcpu);
        EXPECT_EQ((find(cpuid, 0x1).ebx >> 16) & 0xff, 4u);
        EXPECT_EQ(find(cpuid, 0x1).ebx & 0xffff, 0x0800u) << "the CLFLUSH line size stays";
        EXPECT_TRUE(find(cpuid, 0x1).ecx & (1u << 31)) << "the hypervisor bit";
        EXPECT_TRUE(find(cpuid, 0x1).edx & (1u << 28));
        for (uint32_t sub = 0; sub < 3; ++sub) EXPECT_EQ(find(cpuid, 0xb, sub).edx, vcpu);
        for (uint32_t sub = 0; sub < 3; ++sub) EXPECT_EQ(find(cpuid, 0x1f, sub).edx, vcpu);
        EXPECT_EQ(find(cpuid, 0x8000001e).eax, vcpu);
        EXPECT_EQ(find(cpuid, 0x7).ebx, 0x1234u) << "other leaves pass through";
    }
}

TEST(Cpuid, TopologyLeavesDescribeTheMachinesCpuCount) {
    auto one = guest_cpuid(supported(), 0, 1);
    EXPECT_EQ((find(one, 0x1).ebx >> 16) & 0xff, 1u);
    EXPECT_FALSE(find(one, 0x1).edx & (1u << 28)) << "no HTT with one CPU";
    EXPECT_EQ(find(one, 0xb, 1).ebx, 1u);
    auto eight = guest_cpuid(supported(), 5, 8);
    EXPECT_EQ(find(eight, 0xb, 0).ebx, 1u);            // one thread per core
    EXPECT_EQ(find(eight, 0xb, 0).ecx, 0x100u);        // level 0: SMT
    EXPECT_EQ(find(eight, 0xb, 1).eax, 3u);            // 8 cores: shift 3 to the package
    EXPECT_EQ(find(eight, 0xb, 1).ebx, 8u);
    EXPECT_EQ(find(eight, 0xb, 1).ecx, 0x201u);        // level 1: core
    EXPECT_EQ(find(eight, 0xb, 2).ecx & 0xff00, 0u);   // no level past the package
}

TEST(Cpuid, Leaf0x1FSaysWhat0xBSays) {
    auto cpuid = guest_cpuid(supported(), 2, 4);
    for (uint32_t sub = 0; sub < 3; ++sub) {
        EXPECT_EQ(find(cpuid, 0x1f, sub).eax, find(cpuid, 0xb, sub).eax);
        EXPECT_EQ(find(cpuid, 0x1f, sub).ebx, find(cpuid, 0xb, sub).ebx);
        EXPECT_EQ(find(cpuid, 0x1f, sub).ecx, find(cpuid, 0xb, sub).ecx);
    }
}

TEST(Cpuid, CachesAndCoreCountAreTheMachinesNotTheHosts) {
    auto cpuid = guest_cpuid(caches(), 1, 4);
    auto sharing = [](const kvm_cpuid_entry2& e) { return (e.eax >> 14) & 0xfff; };
    EXPECT_EQ(find(cpuid, 0x4, 0).eax >> 26, 3u) << "four cores";
    EXPECT_EQ(sharing(find(cpuid, 0x4, 0)), 0u) << "L1 per core";
    EXPECT_EQ(sharing(find(cpuid, 0x4, 1)), 0u) << "L2 per core";
    EXPECT_EQ(sharing(find(cpuid, 0x4, 2)), 3u) << "L3 shared by the four";
    EXPECT_EQ(find(cpuid, 0x4, 2).eax & 0x3fff, (1u << 8) | (3u << 5) | 3u) << "level and type stay";
    EXPECT_EQ(find(cpuid, 0x4, 3).eax, 0u) << "the end of the list stays the end";
    EXPECT_EQ(sharing(find(cpuid, 0x8000001d, 0)), 0u);
    EXPECT_EQ(sharing(find(cpuid, 0x8000001d, 1)), 3u);
    EXPECT_EQ(find(cpuid, 0x80000008).ecx & 0xff, 3u) << "AMD: four cores";
    EXPECT_EQ((find(cpuid, 0x80000008).ecx >> 12) & 0xf, 2u) << "two bits of core ID";
    EXPECT_EQ(find(cpuid, 0x80000008).ecx & 0xf00, 0u) << "other bits stay";

    auto many = guest_cpuid(caches(), 0, 200);
    EXPECT_EQ(find(many, 0x4, 0).eax >> 26, 63u) << "the field holds 64 cores at most";
    EXPECT_EQ(sharing(find(many, 0x4, 2)), 199u);
}

} // namespace
