#include "kernel/proc/paging.h"

#include "cocoon/syscalls.h"
#include "cocoon/trace.h"
#include "kernel/arch/console.h"
#include "kernel/arch/x86.h"
#include "kernel/drivers/virtio_blk.h"
#include "kernel/kmem.h"
#include "kernel/layout.h"
#include "kernel/mm/swap_space.h"
#include "kernel/trace.h"

namespace kernel::proc {
namespace {

namespace pte = mm::pte;

// Set in a swapped-out entry while its page is still being written: whoever faults on
// it waits (the slot does not hold the data yet).
constexpr uint64_t in_transit = 1ull << 11;

mm::SwapSpace swap;
int swap_disk = -1;
int clock_process = 0;  // the process the clock hand is in

uint64_t slot_sector(uint64_t slot) { return slot * mm::SwapSpace::sectors_per_slot; }

// The page at `entry` leaves `p`'s address space for the swap disk; its frame goes back
// to the pool. False if there is no slot for it.
bool evict(Process& p, uint64_t virt, uint64_t* entry) {
    uint64_t e = *entry;
    uint64_t frame = e & pte::frame_mask;
    uint64_t slot = swap.copy_of(frame);
    bool dirty = (e & pte::dirty) || slot == mm::SwapSpace::no_copy;
    if (dirty) {
        swap.drop_copy(frame);
        auto fresh = swap.allocate();
        if (!fresh.ok() && swap.drop_any_copy()) fresh = swap.allocate();  // a full disk: copies go first
        if (!fresh.ok()) return false;
        slot = fresh.value();
    } else {
        swap.detach_copy(frame);  // the slot now belongs to the entry
    }
    // The page leaves the address space before it is written: a write meanwhile would
    // be lost. Its owner faults and waits for the write.
    *entry = mm::swapped_entry(slot, e) | (dirty ? in_transit : 0);
    if (&p == current()) x86::invlpg(virt);
    else p.fresh = true;  // its PCID's TLB entries are stale: flush when it next runs
    int pid = p.pid;
    if (dirty) {
        uint64_t root = p.space.root();
        uint64_t expected = *entry;
        bool written = drivers::block_write(swap_disk, slot_sector(slot), phys_to_virt(frame), layout::page_size).ok();
        // While the disk worked, the owner ran: it may have exited (its tables are gone
        // and its slots free) — look the entry up again rather than trust the pointer.
        uint64_t* again = p.pid == pid && p.space.root() == root ? p.space.leaf(virt) : nullptr;
        bool still_ours = again && *again == expected;
        if (still_ours) *again = written ? expected & ~in_transit : e;  // a failed write: the page stays
        wake_all(&swap);
        if (!written) {
            if (still_ours) swap.free(slot);  // otherwise its exit freed the slot already
            else frames().free(frame);
            return false;
        }
        if (!still_ours) {  // it exited meanwhile: only the frame is left to give back
            frames().free(frame);
            return true;
        }
    }
    ++p.pages_out;
    trace::paged(cocoon::trace::kind_page_out, static_cast<uint32_t>(pid), virt, slot, frame, dirty);
    frames().free(frame);
    return true;
}

class SwapReclaimer final : public mm::Reclaimer {
public:
    // The clock: its hand stays in one process until that one has no page to give,
    // then moves on; a page used since the hand last passed gets a second chance.
    bool reclaim() override {
        if (swap_disk < 0) return false;
        for (int step = 0; step < max_processes; ++step) {
            Process& p = *slot(clock_process);
            mm::Victim victim{};
            bool alive = p.state != State::unused && p.state != State::zombie && p.space.root();
            if (alive && mm::pick_victim(p.space, p.clock_cursor, victim)) return evict(p, victim.virt, victim.entry);
            clock_process = (clock_process + 1) % max_processes;
        }
        return false;  // nothing resident may go: every process's pages are pinned or in flight
    }
};
SwapReclaimer reclaimer;

} // namespace

void init_swap(int disk) {
    if (disk < 0 || disk >= drivers::block_device_count() || drivers::block_info(disk).read_only) {
        kprintf("[kernel] swap=%d: no writable disk %d; running without swap\n", disk, disk);
        return;
    }
    swap.init(drivers::block_info(disk).sectors / mm::SwapSpace::sectors_per_slot);
    swap_disk = disk;
    frames().set_reclaimer(&reclaimer);
    kprintf("[kernel] swap on disk %d: %lu KiB\n", disk, swap.total() * 4);
}

uint64_t swap_slots_used() { return swap.used(); }
uint64_t swap_slots_total() { return swap.total(); }
mm::SwapSpace* swap_space() { return swap_disk >= 0 ? &swap : nullptr; }

ErrorOr<void> swap_in(Process& p, uint64_t page) {
    for (;;) {
        uint64_t* entry = p.space.leaf(page);
        if (!entry || !mm::is_swapped(*entry)) return {};  // already back
        if (*entry & in_transit) {
            sleep_on(&swap);
            continue;
        }
        uint64_t e = *entry;
        uint64_t frame = TRY(frames().allocate());  // may evict, and sleep
        if (*p.space.leaf(page) != e) {             // changed meanwhile: look again
            frames().free(frame);
            continue;
        }
        uint64_t slot = mm::slot_of(e);
        auto read = drivers::block_read(swap_disk, slot_sector(slot), phys_to_virt(frame), layout::page_size);
        if (!read.ok()) {
            frames().free(frame);
            return Error{read.error()};
        }
        *p.space.leaf(page) = frame | (e & pte::rights) | pte::present;  // clean: the slot keeps a copy
        swap.remember_copy(frame, slot);
        ++p.pages_in;
        trace::paged(cocoon::trace::kind_page_in, static_cast<uint32_t>(p.pid), page, slot, frame, false);
        return {};
    }
}

} // namespace kernel::proc
