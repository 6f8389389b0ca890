// The x86-64 paging contract (Intel SDM vol. 3, 4.5 and 4.7) as both sides read it: the
// kernel writes page-table entries and takes page faults; cocoon walks the same tables
// and reports the same faults.
#pragma once
#include <stdint.h>

// The bits of a page-table entry.
namespace cocoon::pte {
inline constexpr uint64_t present = 1ull << 0;
inline constexpr uint64_t writable = 1ull << 1;
inline constexpr uint64_t user = 1ull << 2;
inline constexpr uint64_t accessed = 1ull << 5;
inline constexpr uint64_t dirty = 1ull << 6;
inline constexpr uint64_t huge = 1ull << 7;   // PS: a 2 MiB or 1 GiB leaf
inline constexpr uint64_t global = 1ull << 8;
inline constexpr uint64_t no_execute = 1ull << 63;
inline constexpr uint64_t frame_mask = 0x000ffffffffff000ull;
} // namespace cocoon::pte

// The bits of a page fault's error code.
namespace cocoon::fault_bits {
inline constexpr uint32_t present = 1;   // the page was present: a protection violation
inline constexpr uint32_t write = 2;
inline constexpr uint32_t user = 4;
inline constexpr uint32_t reserved = 8;
inline constexpr uint32_t fetch = 16;    // instruction fetch
} // namespace cocoon::fault_bits
