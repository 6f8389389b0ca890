// Physical frames. Frames never handed out are kept as ranges and taken in order, so
// nothing touches a frame before its first use: booting costs the same with 64 MiB as
// with 3 GiB, and the host backs only the RAM the guest has used. A frame given back
// joins a free list threaded through the free frames themselves (no memory of its
// own), and is used again before any fresh one. Allocation hands out a zeroed frame or
// ENOMEM.
#pragma once
#include <stdint.h>

#include "kernel/lib/result.h"
#include "kernel/mm/physical_memory.h"

namespace kernel::mm {

// Gives a frame back to the pool when it runs dry (the kernel's swap does, by evicting
// a page); false when it cannot.
class Reclaimer {
public:
    virtual bool reclaim() = 0;

protected:
    ~Reclaimer() = default;
};

class FrameAllocator {
public:
    explicit FrameAllocator(PhysicalMemory& memory) : memory_(memory) {}

    // Adds the whole frames inside [start, end) to the pool.
    void add_range(uint64_t start, uint64_t end);

    ErrorOr<uint64_t> allocate();  // a zeroed frame; asks the reclaimer when empty
    void set_reclaimer(Reclaimer* reclaimer) { reclaimer_ = reclaimer; }
    void free(uint64_t frame);

    uint64_t free_count() const { return free_; }
    uint64_t total_count() const { return total_; }

private:
    struct Range {
        uint64_t next, end;  // fresh frames [next, end)
    };
    static constexpr int max_ranges = 8;

    PhysicalMemory& memory_;
    Reclaimer* reclaimer_ = nullptr;
    Range fresh_[max_ranges] = {};
    int ranges_ = 0;
    uint64_t head_ = 0;  // of the frames given back; 0: none (frame 0 is never in the pool)
    uint64_t free_ = 0;
    uint64_t total_ = 0;
};

} // namespace kernel::mm
