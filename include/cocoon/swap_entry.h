// How the kernel marks a page it swapped out in the page's leaf entry. Shared so that
// cocoon's own page walk can tell a swapped-out page from other not-present entries.
#pragma once
#include <stdint.h>

namespace cocoon::swap_entry {

// A not-present leaf with this bit (one the MMU leaves to software) holds its swap slot
// in the frame field and keeps the page's rights for when it comes back.
inline constexpr uint64_t marker = 1ull << 9;
inline constexpr uint64_t present = 1ull << 0;
inline constexpr uint64_t slot_mask = 0x000ffffffffff000ull;

inline constexpr bool is_swapped(uint64_t entry) { return !(entry & present) && (entry & marker); }
inline constexpr uint64_t slot_of(uint64_t entry) { return (entry & slot_mask) >> 12; }

} // namespace cocoon::swap_entry
