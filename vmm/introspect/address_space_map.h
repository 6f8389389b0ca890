// An address space as a person reads it: the leaves of a page walk grouped into
// regions (runs of pages with the same rights), each named after the part of the
// process it holds, with the frames behind it. Built from cocoon's own walk of the
// real page tables, so it shows what the MMU sees.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "vmm/introspect/page_walk.h"

namespace cocoon::vmm {

inline constexpr uint64_t user_half_end = 0x0000800000000000ull;

enum class RegionKind { code, rodata, data, stack, kernel };

// Physically contiguous frames behind virtually contiguous pages.
struct FrameRun {
    uint64_t first;           // physical address of the first frame
    uint64_t pages;           // 4 KiB frames in the run
    bool operator==(const FrameRun&) const = default;
};

struct Region {
    RegionKind kind;
    uint64_t start;
    uint64_t last;            // inclusive: the kernel half ends at 2^64 - 1
    Rights rights;
    uint64_t present_pages = 0;   // in 4 KiB units
    uint64_t swapped_pages = 0;   // swapped out (include/cocoon/swap_entry.h)
    uint64_t absent_pages = 0;    // any other not-present entry the kernel left non-zero
    std::vector<FrameRun> frames; // the frames behind present pages, in address order
};

struct AddressSpaceMap {
    std::string name;         // "spin#3"
    uint64_t cr3 = 0;
    std::vector<Region> user; // user-half regions, in address order
    Region kernel{RegionKind::kernel, 0, 0, {}, 0, 0, 0, {}};  // the kernel half as one band; empty while last < start
    // The kernel half's present pages (4 KiB units) by rights: a W^X kernel has no rwx.
    uint64_t kernel_rx = 0, kernel_r = 0, kernel_rw = 0, kernel_rwx = 0;
    WalkStats walk;
};

// Walks `cr3` and builds the map. `name` labels it.
AddressSpaceMap map_address_space(const GuestMemory& memory, uint64_t cr3, std::string name);

// Groups leaves (in address order) into regions. Exposed for tests.
AddressSpaceMap group_leaves(const std::vector<Leaf>& leaves);

const char* region_name(RegionKind kind);

// What `virt` is under `cr3`, as the MMU sees it: "code page r-x", "stack page rw-",
// "kernel page" or "not mapped".
std::string describe_page(const GuestMemory& memory, uint64_t cr3, uint64_t virt);

// The text form: one line per region, then the kernel band and the table count.
std::string format_map(const AddressSpaceMap& map);

} // namespace cocoon::vmm
