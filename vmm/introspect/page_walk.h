// cocoon's own walk of a guest's x86-64 page tables, through GuestMemory only: what the
// hardware sees, not what the guest kernel says. The tables are guest data, so the
// walk is hostile-input safe: a table outside RAM is reported, not followed; a table
// reached twice (a loop, or a table shared between entries) is walked once; the work
// is bounded by the number of frames in RAM.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>

#include "cocoon/page_table.h"
#include "vmm/memory/guest_memory.h"

namespace cocoon::vmm {

namespace pte = cocoon::pte;

inline constexpr uint64_t cr3_frame_mask = 0x000ffffffffff000ull;  // drops PCID and flags

// The rights of a leaf, combined over every level as the MMU combines them.
struct Rights {
    bool writable = false;
    bool user = false;
    bool executable = false;
};

// One leaf of the walk: a present mapping, or a not-present entry that is non-zero
// (the kernel keeps a swap slot or other bookkeeping there).
struct Leaf {
    uint64_t virt;          // canonical virtual address of the page
    uint64_t size;          // 4 KiB, 2 MiB or 1 GiB
    uint64_t entry;         // the raw leaf entry
    bool present;
    uint64_t phys;          // frame address when present
    Rights rights;          // when present
    bool accessed;
    bool dirty;
};

struct WalkStats {
    uint64_t table_pages = 0;    // page-table pages reached, the root included
    uint64_t user_table_pages = 0; // of which the root and those under the user half
    uint64_t bad_tables = 0;     // entries pointing outside RAM
    uint64_t revisited = 0;      // entries pointing to a table already walked
    uint64_t user_revisited = 0; // of which under the user half: no sound kernel builds these
};

// Visits every leaf under `cr3` in address order. Returns what the walk met.
WalkStats walk_page_tables(const GuestMemory& memory, uint64_t cr3,
                           const std::function<void(const Leaf&)>& visit);

struct Translation {
    uint64_t phys;
    uint64_t page_size;
    Rights rights;
};

// The physical address `virt` maps to under `cr3`, or nullopt when not mapped (or when
// a table on the way lies outside RAM).
std::optional<Translation> translate(const GuestMemory& memory, uint64_t cr3, uint64_t virt);

} // namespace cocoon::vmm
