#include "kernel/mm/frame_allocator.h"

#include "cocoon/syscalls.h"
#include "kernel/lib/string.h"

namespace kernel::mm {

constexpr uint64_t frame_size = 4096;

void FrameAllocator::add_range(uint64_t start, uint64_t end) {
    start = (start + frame_size - 1) & ~(frame_size - 1);
    if (start == 0) start = frame_size;
    end &= ~(frame_size - 1);
    if (start >= end) return;
    if (ranges_ == max_ranges) {  // more pieces than a PVH memory map gives: thread these
        for (uint64_t frame = start; frame < end; frame += frame_size, ++total_) free(frame);
        return;
    }
    fresh_[ranges_++] = {start, end};
    uint64_t count = (end - start) / frame_size;
    total_ += count;
    free_ += count;
}

ErrorOr<uint64_t> FrameAllocator::allocate() {
    // A reclaimed frame may go to someone else while the reclaimer waits for the disk:
    // ask a few times before giving up.
    for (int attempt = 0; free_ == 0 && reclaimer_ && attempt < 8; ++attempt)
        if (!reclaimer_->reclaim()) break;
    if (free_ == 0) return Error{cocoon::sys::enomem};
    uint64_t frame = head_;
    if (frame) {
        head_ = *memory_.as<uint64_t>(frame);
    } else {
        Range* range = fresh_;
        while (range->next == range->end) ++range;  // free_ > 0: some range has one
        frame = range->next;
        range->next += frame_size;
    }
    --free_;
    memset(memory_.at(frame), 0, frame_size);
    return frame;
}

void FrameAllocator::free(uint64_t frame) {
    *memory_.as<uint64_t>(frame) = head_;
    head_ = frame;
    ++free_;
}

} // namespace kernel::mm
