#include "kernel/mm/swap_space.h"

#include "cocoon/syscalls.h"
#include "kernel/layout.h"

namespace kernel::mm {

void SwapSpace::init(uint64_t slots) {
    for (auto& word : bits_) word = 0;
    for (auto& copy : copies_) copy = 0;
    total_ = slots < max_slots ? slots : max_slots;
    used_ = next_ = 0;
}

bool SwapSpace::in_use(uint64_t slot) const { return slot < total_ && (bits_[slot / 64] >> (slot % 64) & 1); }

ErrorOr<uint64_t> SwapSpace::allocate() {
    for (uint64_t step = 0; step < total_; ++step) {
        uint64_t slot = (next_ + step) % total_;
        if (in_use(slot)) continue;
        bits_[slot / 64] |= 1ull << (slot % 64);
        ++used_;
        next_ = slot + 1;
        return slot;
    }
    return Error{cocoon::sys::enomem};
}

void SwapSpace::free(uint64_t slot) {
    if (!in_use(slot)) return;
    bits_[slot / 64] &= ~(1ull << (slot % 64));
    --used_;
}

void SwapSpace::remember_copy(uint64_t frame, uint64_t slot) {
    uint64_t index = frame / layout::page_size;
    if (index < max_frames) copies_[index] = static_cast<uint32_t>(slot + 1);
    else free(slot);  // untracked: nobody would free it later
}

uint64_t SwapSpace::copy_of(uint64_t frame) const {
    uint64_t index = frame / layout::page_size;
    return index < max_frames && copies_[index] ? copies_[index] - 1 : no_copy;
}

void SwapSpace::drop_copy(uint64_t frame) {
    uint64_t slot = copy_of(frame);
    if (slot == no_copy) return;
    copies_[frame / layout::page_size] = 0;
    free(slot);
}

void SwapSpace::detach_copy(uint64_t frame) {
    uint64_t index = frame / layout::page_size;
    if (index < max_frames) copies_[index] = 0;
}

bool SwapSpace::drop_any_copy() {
    for (uint64_t step = 0; step < max_frames; ++step) {
        uint64_t index = (copy_hand_ + step) % max_frames;
        if (!copies_[index]) continue;
        copy_hand_ = index + 1;
        drop_copy(index * layout::page_size);
        return true;
    }
    return false;
}

void release_swap(SwapSpace* swap, uint64_t entry) {
    if (!swap) return;
    if (entry & pte::present) swap->drop_copy(entry & pte::frame_mask);
    else if (is_swapped(entry)) swap->free(slot_of(entry));
}

bool pick_victim(AddressSpace& space, uint64_t& cursor, Victim& out) {
    // Two laps at most: the first may only take second chances away.
    for (int laps = 0; laps < 2;) {
        uint64_t* e = space.next_leaf(cursor);
        if (!e) {
            cursor = 0;  // the hand starts over
            ++laps;
            continue;
        }
        uint64_t virt = cursor;
        cursor += layout::page_size;
        if (!(*e & pte::present) || !(*e & pte::user) || (*e & pte::pinned)) continue;
        if (*e & pte::accessed) {
            *e &= ~pte::accessed;  // its second chance
            continue;
        }
        out = {virt, e};
        return true;
    }
    return false;
}

} // namespace kernel::mm
