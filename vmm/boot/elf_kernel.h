// Reading a kernel ELF for PVH boot: the PT_LOAD segments to copy into guest RAM and
// the 32-bit entry point from the XEN_ELFNOTE_PHYS32_ENTRY note. The file is hostile
// input: every offset, size and address is checked before use, and a malformed file
// is refused with a message that says what and where, before any vCPU runs.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "vmm/memory/guest_memory.h"

namespace cocoon::vmm {

struct KernelSegment {
    uint64_t paddr;
    std::span<const uint8_t> bytes;  // file contents, copied to paddr
    uint64_t memsz;                  // bytes..memsz are zeroed (bss)
};

struct KernelImage {
    uint32_t entry;                  // 32-bit physical PVH entry
    std::vector<KernelSegment> segments;
    uint64_t lowest = 0;             // physical extent of all segments
    uint64_t end = 0;                // one past the last byte
};

// Guest-physical memory below this is cocoon's: boot structures live there.
inline constexpr uint64_t kernel_min_paddr = 0x100000;

// Throws SetupError(bad_input) with "kernel: <what> (<where>)".
KernelImage parse_kernel(std::span<const uint8_t> elf, uint64_t ram_size);

// Copies the segments into RAM and zeroes their bss.
void load_kernel(const KernelImage& image, const GuestMemory& memory);

} // namespace cocoon::vmm
