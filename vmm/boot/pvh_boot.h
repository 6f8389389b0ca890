// The rest of PVH boot: hvm_start_info with the memory map, the command line and the
// modules, written into the low megabyte that the kernel may not load into, and the
// 32-bit protected-mode state the PVH spec prescribes for the entry.
//
// Guest-physical layout below 1 MiB, reported RAM up to 0x9fc00 and reserved above:
//   0x7000  hvm_start_info        0x7100  memory map (up to 8 entries)
//   0x7400  module list           0x8000  command line (up to 4 KiB, NUL-terminated)
//   0x9000  module command lines  0xe0000 the ACPI tables
// The module (the program archive) goes at the top of RAM, page-aligned.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "vmm/boot/elf_kernel.h"
#include "vmm/kvm/vcpu.h"
#include "vmm/memory/guest_memory.h"
#include "vmm/platform/platform_description.h"

namespace cocoon::vmm {

inline constexpr uint64_t pvh_start_info_gpa = 0x7000;
inline constexpr uint64_t pvh_memmap_gpa = 0x7100;
inline constexpr uint64_t pvh_modlist_gpa = 0x7400;
inline constexpr uint64_t pvh_cmdline_gpa = 0x8000;
inline constexpr uint64_t pvh_cmdline_max = 0x1000;
inline constexpr uint64_t pvh_module_cmdline_gpa = 0x9000;
inline constexpr uint64_t pvh_low_ram_end = 0x9fc00;  // 639 KiB, where a PC's EBDA begins
inline constexpr uint64_t pvh_acpi_gpa = 0xe0000;     // in the reserved hole, as Firecracker puts them

struct BootModule {
    std::span<const uint8_t> bytes;
    std::string cmdline;   // e.g. "programs.tar"
};

struct PvhPlacement {
    uint64_t start_info;   // what %ebx holds at the entry
    uint64_t module_gpa;   // 0 when there is no module
};

// Writes start_info, the memory map, the command line, the module and the platform's
// ACPI tables (at pvh_acpi_gpa; rsdp_paddr points at them). Throws
// SetupError(bad_input) when the command line is too long or the module does not
// fit in RAM beside the kernel.
PvhPlacement write_pvh_boot_info(const GuestMemory& memory, const KernelImage& kernel, const std::string& cmdline,
                                 const std::optional<BootModule>& module, const PlatformDescription& description);

// The PVH entry state: 32-bit flat protected mode, paging off, %ebx = start_info.
void set_pvh_entry_state(Vcpu& vcpu, uint32_t entry, uint64_t start_info);

} // namespace cocoon::vmm
