// Where things are, in every address space. The user half holds one process; the
// kernel half is the same in all of them and supervisor-only.
//
//   0x0000000000000000  page 0: never mapped (NULL dereferences fault)
//   0x0000000000400000  user code, read-only + executable (programs link here)
//   after the data      heap, growing up with brk/sbrk, demand-zero, no-execute
//   0x00007fffff7ff000  lowest stack address the stack may grow to (8 MiB below the top)
//   below that          the guard gap (1 MiB): never mapped, a fault there is a stack
//                       overflow; no segment and no heap may reach into it
//   0x00007ffffffff000  top of the user stack, growing down, demand-zero, no-execute
//   0xffff800000000000  direct map of physical memory (the first 4 GiB)
//   0xffffffff80000000  the kernel image (physical 0 mapped here; the kernel at +1 MiB)
#pragma once
#include <stdint.h>

namespace kernel::layout {

inline constexpr uint64_t page_size = 4096;
inline constexpr uint64_t user_code_base = 0x400000;
inline constexpr uint64_t user_top = 0x0000800000000000;
inline constexpr uint64_t user_stack_top = 0x00007ffffffff000;
inline constexpr uint64_t user_stack_limit = 8ull << 20;
inline constexpr uint64_t user_stack_lowest = user_stack_top - user_stack_limit;
inline constexpr uint64_t user_guard_size = 1ull << 20;
// The bottom of the guard gap: the heap and every ELF segment end at or below it.
inline constexpr uint64_t user_guard_lowest = user_stack_lowest - user_guard_size;
inline constexpr uint64_t direct_map = 0xffff800000000000;
inline constexpr uint64_t direct_map_size = 4ull << 30;
inline constexpr uint64_t kernel_base = 0xffffffff80000000;

} // namespace kernel::layout
