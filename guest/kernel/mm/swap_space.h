// Swap space: the slots of a swap disk (one page, eight sectors, each) and which
// resident frame still has an up-to-date copy in which slot, so that a clean page
// can be evicted without being written again. How a swapped-out page looks in its
// page-table entry is here too. Portable: no disk I/O here, tested on the host.
#pragma once
#include <stdint.h>

#include "cocoon/swap_entry.h"
#include "kernel/lib/result.h"
#include "kernel/mm/address_space.h"

namespace kernel::mm {

namespace pte {
// A swapped-out page's leaf (include/cocoon/swap_entry.h): its slot in the frame field,
// its rights (user, writable, no-execute) kept for when it comes back.
inline constexpr uint64_t swapped = cocoon::swap_entry::marker;
// Present and not to be evicted: a disk request is moving data into or out of it.
inline constexpr uint64_t pinned = 1ull << 10;
inline constexpr uint64_t rights = user | writable | no_execute;
} // namespace pte

inline bool is_swapped(uint64_t entry) { return cocoon::swap_entry::is_swapped(entry); }
inline uint64_t swapped_entry(uint64_t slot, uint64_t rights) {
    return (slot << 12 & pte::frame_mask) | pte::swapped | (rights & pte::rights);
}
inline uint64_t slot_of(uint64_t swapped) { return cocoon::swap_entry::slot_of(swapped); }

class SwapSpace {
public:
    static constexpr uint64_t max_slots = 1u << 16;   // 256 MiB of swap
    static constexpr uint64_t max_frames = 1u << 18;  // clean copies tracked for the first 1 GiB of RAM
    static constexpr uint64_t sectors_per_slot = 8;

    void init(uint64_t slots);  // the first `slots` slots (at most max_slots) of the disk
    uint64_t total() const { return total_; }
    uint64_t used() const { return used_; }

    ErrorOr<uint64_t> allocate();  // ENOMEM when every slot is taken
    void free(uint64_t slot);      // a free slot is ignored
    bool in_use(uint64_t slot) const;

    // `frame` now equals what `slot` holds (it was just read from or written to it).
    void remember_copy(uint64_t frame, uint64_t slot);
    // The slot holding a copy of `frame`, or no_copy.
    static constexpr uint64_t no_copy = ~0ull;
    uint64_t copy_of(uint64_t frame) const;
    // `frame` is about to change or go away: its copy is stale; the slot is freed.
    void drop_copy(uint64_t frame);
    // `frame` leaves for its copy's slot: the record goes, the slot stays in use.
    void detach_copy(uint64_t frame);
    // The disk is full: gives up some resident page's copy to free its slot (that page
    // will be written again when it leaves). False if no copy is left to give.
    bool drop_any_copy();

private:
    uint64_t bits_[max_slots / 64] = {};
    uint32_t copies_[max_frames] = {};  // slot + 1 per frame, 0 = none
    uint64_t total_ = 0;
    uint64_t used_ = 0;
    uint64_t next_ = 0;
    uint64_t copy_hand_ = 0;  // where drop_any_copy looks next
};

// Frees what a process's leaf holds beyond its frame: the swap slot of a swapped-out
// page, or the copy of a resident one. AddressSpace::unmap/destroy call it.
void release_swap(SwapSpace* swap, uint64_t entry);

// Second chance (clock) over one address space: from `cursor`, the first present
// user page that is neither pinned nor recently used; the pages passed over lose
// their accessed bit, their second chance. False when two laps found nothing (no
// resident page that may go).
struct Victim {
    uint64_t virt;
    uint64_t* entry;
};
bool pick_victim(AddressSpace& space, uint64_t& cursor, Victim& out);

} // namespace kernel::mm
