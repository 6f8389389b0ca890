// One process's page tables: a 4-level x86-64 hierarchy whose user half is its own and
// whose kernel half shares the kernel's tables. Tables exist only for what is mapped.
#pragma once
#include <stdint.h>

#include "cocoon/page_table.h"
#include "kernel/lib/result.h"
#include "kernel/mm/frame_allocator.h"
#include "kernel/mm/physical_memory.h"

namespace kernel::mm {

class SwapSpace;

namespace pte {
using namespace cocoon::pte;  // the hardware's bits; the kernel's own software bits join them (swap_space.h)
} // namespace pte

class AddressSpace {
public:
    // A new root whose upper half (entries 256..511) is copied from `kernel_root`.
    // With `swap`, unmapping and destroying also free the pages' swap slots.
    static ErrorOr<AddressSpace> create(FrameAllocator& frames, PhysicalMemory& memory, uint64_t kernel_root,
                                        SwapSpace* swap = nullptr);
    AddressSpace() = default;

    uint64_t root() const { return root_; }
    uint64_t table_pages() const { return table_pages_; }
    // User pages with a leaf (resident or swapped out): now, and the most there ever were.
    uint64_t pages() const { return pages_; }
    uint64_t peak_pages() const { return peak_pages_; }

    // Maps one 4 KiB page; creates missing tables. EEXIST-like EINVAL if mapped.
    ErrorOr<void> map(uint64_t virt, uint64_t frame, uint64_t flags);
    // The leaf entry for `virt`, or nullptr if a table on the way is missing.
    uint64_t* leaf(uint64_t virt);
    // The first non-empty user leaf (present or swapped out) at or after `virt`, which
    // becomes its address; nullptr past the user half. Skips missing tables whole.
    uint64_t* next_leaf(uint64_t& virt);
    // The physical address `virt` maps to, or 0 when unmapped.
    uint64_t translate(uint64_t virt);
    // Changes a present page's flags; false if not mapped.
    bool protect(uint64_t virt, uint64_t flags);
    // Unmaps one page and frees its frame (or its swap slot); false if nothing was there.
    bool unmap(uint64_t virt);
    // Unmaps every page in [start, end) (page-aligned, in the user half) and frees the
    // tables that this leaves empty; returns how many pages went. The work follows the
    // tables that exist, not the size of the range: missing ones are skipped whole.
    uint64_t unmap_range(uint64_t start, uint64_t end);
    // Frees every user frame and every user page-table page, then the root.
    void destroy();

private:
    AddressSpace(FrameAllocator* frames, PhysicalMemory* memory, uint64_t root, SwapSpace* swap)
        : frames_(frames), memory_(memory), swap_(swap), root_(root), table_pages_(1) {}
    uint64_t* entry(uint64_t table, uint64_t virt, int level);
    void free_table(uint64_t table, int level);
    uint64_t unmap_in(uint64_t table, int level, uint64_t base, uint64_t start, uint64_t end);
    void release_leaf(uint64_t& entry);

    FrameAllocator* frames_ = nullptr;
    PhysicalMemory* memory_ = nullptr;
    SwapSpace* swap_ = nullptr;
    uint64_t root_ = 0;
    uint64_t table_pages_ = 0;
    uint64_t pages_ = 0, peak_pages_ = 0;
};

} // namespace kernel::mm
