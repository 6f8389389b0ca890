// Corrections to <linux/kvm.h> for C++. Its variable-length structs end in
// __DECLARE_FLEX_ARRAY, which wraps an empty struct; in C++ an empty struct takes a
// byte, so kvm_cpuid2 and kvm_msrs grow from 8 to 12 bytes. That moves their entries
// and changes the ioctl numbers, which encode the size: KVM answers EINVAL. These are
// the headers and numbers as the kernel defines them.
#pragma once
#include <linux/kvm.h>

#include <cstdint>

namespace cocoon::vmm::kvm_abi {

struct CpuidHeader {      // struct kvm_cpuid2 without its entries
    uint32_t nent;
    uint32_t padding;
};
struct MsrsHeader {       // struct kvm_msrs without its entries
    uint32_t nmsrs;
    uint32_t pad;
};
static_assert(sizeof(CpuidHeader) == 8 && sizeof(MsrsHeader) == 8);

inline constexpr unsigned long get_supported_cpuid = _IOWR(KVMIO, 0x05, CpuidHeader);
inline constexpr unsigned long set_cpuid2 = _IOW(KVMIO, 0x90, CpuidHeader);
inline constexpr unsigned long get_msrs = _IOWR(KVMIO, 0x88, MsrsHeader);
inline constexpr unsigned long set_msrs = _IOW(KVMIO, 0x89, MsrsHeader);

} // namespace cocoon::vmm::kvm_abi
