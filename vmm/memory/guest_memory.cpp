#include "vmm/memory/guest_memory.h"

#include <sys/mman.h>

#include <cerrno>
#include <system_error>

namespace cocoon::vmm {

GuestMemory::GuestMemory(uint64_t size) : size_(size) {
    if (size == 0) throw std::system_error(EINVAL, std::generic_category(), "guest memory size is zero");
    // MAP_NORESERVE: RAM the guest never touches costs the host nothing.
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap guest memory");
    base_ = static_cast<uint8_t*>(p);
}

GuestMemory::~GuestMemory() { munmap(base_, size_); }

std::optional<std::span<uint8_t>> GuestMemory::span(uint64_t gpa, uint64_t len) const {
    if (gpa > size_ || len > size_ - gpa) return std::nullopt;  // no overflow: gpa <= size_
    return std::span<uint8_t>(base_ + gpa, len);
}

} // namespace cocoon::vmm
