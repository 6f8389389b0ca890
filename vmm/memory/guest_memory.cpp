#include "vmm/memory/guest_memory.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace cocoon::vmm {

namespace {

constexpr uint64_t huge_page = 2ull << 20;

} // namespace

GuestMemory::GuestMemory(uint64_t size) : size_(size) {
    if (size == 0) throw std::system_error(EINVAL, std::generic_category(), "guest memory size is zero");
    // MAP_NORESERVE: RAM the guest never touches costs the host nothing. The base is
    // 2 MiB aligned, as guest-physical 0 is: KVM maps guest memory with 2 MiB pages only
    // where host and guest addresses agree modulo 2 MiB, and otherwise takes a nested
    // page fault for every 4 KiB page the guest touches.
    void* p = mmap(nullptr, size + huge_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap guest memory");
    auto start = reinterpret_cast<uintptr_t>(p);
    uintptr_t aligned = (start + huge_page - 1) & ~(huge_page - 1);
    if (aligned > start) munmap(p, aligned - start);
    munmap(reinterpret_cast<void*>(aligned + size), start + huge_page - aligned);
    base_ = reinterpret_cast<uint8_t*>(aligned);
    madvise(base_, size, MADV_HUGEPAGE);  // where THP is "madvise"; a hint, not a need
}

GuestMemory::~GuestMemory() { munmap(base_, size_); }

std::optional<std::span<uint8_t>> GuestMemory::span(uint64_t gpa, uint64_t len) const {
    if (gpa > size_ || len > size_ - gpa) return std::nullopt;  // no overflow: gpa <= size_
    return std::span<uint8_t>(base_ + gpa, len);
}

} // namespace cocoon::vmm
