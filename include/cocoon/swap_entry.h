// How the kernel marks a page it swapped out in the page's leaf entry. Shared so that
// cocoon's own page walk can tell a swapped-out page from other not-present entries.
#pragma once
#include <stdint.h>

#include "cocoon/page_table.h"

namespace cocoon::swap_entry {

// A not-present leaf with this bit (one the MMU leaves to software) holds its swap slot
// in the frame field and keeps the page's rights for when it comes back.
inline constexpr uint64_t marker = 1ull << 9;
inline constexpr uint64_t slot_mask = pte::frame_mask;

inline constexpr bool is_swapped(uint64_t entry) { return !(entry & pte::present) && (entry & marker); }
inline constexpr uint64_t slot_of(uint64_t entry) { return (entry & slot_mask) >> 12; }

} // namespace cocoon::swap_entry
