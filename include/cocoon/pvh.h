// The PVH boot ABI (Xen's arch-x86/hvm/start_info.h), as cocoon and QEMU fill it.
// The VMM enters the kernel's XEN_ELFNOTE_PHYS32_ENTRY in 32-bit protected mode,
// paging off, with %ebx holding the guest-physical address of `hvm_start_info`.
#pragma once
#include <stdint.h>

namespace cocoon::pvh {

inline constexpr uint32_t start_magic = 0x336ec578;  // XEN_HVM_START_MAGIC_VALUE
inline constexpr uint32_t elfnote_phys32_entry = 18; // XEN_ELFNOTE_PHYS32_ENTRY, note name "Xen"

enum MemmapType : uint32_t {
    memmap_ram = 1,
    memmap_reserved = 2,
    memmap_acpi = 3,
    memmap_nvs = 4,
    memmap_unusable = 5,
};

struct StartInfo {
    uint32_t magic;          // start_magic
    uint32_t version;        // 1: memmap fields are valid
    uint32_t flags;
    uint32_t nr_modules;
    uint64_t modlist_paddr;  // array of ModlistEntry
    uint64_t cmdline_paddr;  // NUL-terminated
    uint64_t rsdp_paddr;
    uint64_t memmap_paddr;   // array of MemmapEntry
    uint32_t memmap_entries;
    uint32_t reserved;
};

struct ModlistEntry {
    uint64_t paddr;
    uint64_t size;
    uint64_t cmdline_paddr;  // 0 or NUL-terminated
    uint64_t reserved;
};

struct MemmapEntry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;           // MemmapType
    uint32_t reserved;
};

static_assert(sizeof(StartInfo) == 56);
static_assert(sizeof(ModlistEntry) == 32);
static_assert(sizeof(MemmapEntry) == 24);

} // namespace cocoon::pvh
