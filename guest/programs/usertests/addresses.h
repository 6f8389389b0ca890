// Addresses no process may use, shared by usertests and its child (ut_child).
#pragma once
#include <stdint.h>

namespace ut {

inline constexpr uint64_t kernel_image = 0xffffffff80100000;  // the kernel's code
inline constexpr uint64_t direct_map = 0xffff800001000000;    // all RAM, page tables included
inline constexpr uint64_t non_canonical = 0x0000800000000000; // first address past the user half
inline constexpr uint64_t unmapped = 0x0000400000000000;      // between the heap and the stack
inline constexpr uint64_t guard_gap = 0x00007fffff6ff000;     // the bottom of the stack's guard gap

} // namespace ut
