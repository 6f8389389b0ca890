// Guest RAM for the fuzzers, fenced: an inaccessible mapping just below and just above
// it. ASan does not watch mmap'd memory, so without the fences a host access that
// strays past either end of RAM would land in whatever mapping happens to be adjacent
// and go unnoticed; with them it is a SEGV that libFuzzer reports.
#pragma once
#include <sys/mman.h>

#include <cstdint>
#include <cstdio>
#include <optional>

#include "vmm/memory/guest_memory.h"

namespace cocoon::fuzz {

class FencedMemory {
public:
    static constexpr uint64_t fence_size = 64 * 1024;

    // RAM is mapped (by GuestMemory) where the kernel likes: usually at the top of the
    // highest free range it fits. So a block "fence, hole, fence" is reserved first and
    // RAM mostly takes the hole. If it went elsewhere (a higher range too small for the
    // block, or a range aligned for huge pages) it is fenced there when both sides are
    // free; if not, that range is kept filled so the next attempt does not find it.
    explicit FencedMemory(uint64_t size) {
        for (int attempt = 0; attempt < 16; ++attempt) {
            uint8_t* block = map(nullptr, size + 2 * fence_size);
            if (!block) break;
            munmap(block + fence_size, size);
            memory_.emplace(size);  // in place: no allocation may map memory in between
            uint8_t* base = memory_->host_base();
            if (base == block + fence_size) {
                fences_[0] = block;
                fences_[1] = base + size;
                return;
            }
            munmap(block, fence_size);
            munmap(block + fence_size + size, fence_size);
            fences_[0] = map(base - fence_size, fence_size);
            fences_[1] = map(base + size, fence_size);
            if (fences_[0] && fences_[1]) return;
            for (uint8_t*& fence : fences_) {
                if (fence) munmap(fence, fence_size);
                fence = nullptr;
            }
            memory_.reset();
            map(base, size);  // never unmapped: the range stays taken
        }
        std::fprintf(stderr, "fuzz: could not fence guest RAM; a stray access past it may go unnoticed\n");
        if (!memory_) memory_.emplace(size);
    }

    ~FencedMemory() {
        for (uint8_t* fence : fences_)
            if (fence) munmap(fence, fence_size);
    }

    FencedMemory(const FencedMemory&) = delete;
    FencedMemory& operator=(const FencedMemory&) = delete;

    vmm::GuestMemory& operator*() { return *memory_; }
    vmm::GuestMemory* operator->() { return &*memory_; }

private:
    // An inaccessible range: anywhere (`at` null) or exactly at `at`; null if taken.
    static uint8_t* map(uint8_t* at, uint64_t length) {
        int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (at ? MAP_FIXED_NOREPLACE : 0);
        void* range = mmap(at, length, PROT_NONE, flags, -1, 0);
        if (range == MAP_FAILED) return nullptr;
        if (at && range != at) {  // a kernel without MAP_FIXED_NOREPLACE took it as a hint
            munmap(range, length);
            return nullptr;
        }
        return static_cast<uint8_t*>(range);
    }

    std::optional<vmm::GuestMemory> memory_;
    uint8_t* fences_[2] = {nullptr, nullptr};
};

} // namespace cocoon::fuzz
