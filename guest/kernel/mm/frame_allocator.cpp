#include "kernel/mm/frame_allocator.h"

#include "cocoon/syscalls.h"
#include "kernel/lib/string.h"

namespace kernel::mm {

constexpr uint64_t frame_size = 4096;

void FrameAllocator::add_range(uint64_t start, uint64_t end) {
    start = (start + frame_size - 1) & ~(frame_size - 1);
    if (start == 0) start = frame_size;
    for (uint64_t frame = start; frame + frame_size <= end; frame += frame_size) {
        free(frame);
        ++total_;
    }
}

ErrorOr<uint64_t> FrameAllocator::allocate() {
    // A reclaimed frame may go to someone else while the reclaimer waits for the disk:
    // ask a few times before giving up.
    for (int attempt = 0; head_ == 0 && reclaimer_ && attempt < 8; ++attempt)
        if (!reclaimer_->reclaim()) break;
    if (head_ == 0) return Error{cocoon::sys::enomem};
    uint64_t frame = head_;
    head_ = *memory_.as<uint64_t>(frame);
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
