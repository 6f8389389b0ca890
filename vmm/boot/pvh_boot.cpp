#include "vmm/boot/pvh_boot.h"

#include <cstring>

#include <fmt/format.h>

#include "cocoon/pvh.h"
#include "vmm/error.h"
#include "vmm/exit_status.h"
#include "vmm/platform/acpi_tables.h"

namespace cocoon::vmm {
namespace {

constexpr uint64_t page = 4096;

void put_string(const GuestMemory& memory, uint64_t gpa, const std::string& text) {
    auto target = memory.span(gpa, text.size() + 1);
    std::memcpy(target->data(), text.c_str(), text.size() + 1);
}

kvm_segment flat_segment(uint16_t selector, uint8_t type) {
    kvm_segment s{};
    s.base = 0;
    s.limit = 0xffffffff;
    s.selector = selector;
    s.type = type;
    s.present = 1;
    s.dpl = 0;
    s.db = 1;       // 32-bit
    s.s = 1;        // code or data
    s.l = 0;
    s.g = 1;        // 4 KiB granularity
    return s;
}

} // namespace

PvhPlacement write_pvh_boot_info(const GuestMemory& memory, const KernelImage& kernel, const std::string& cmdline,
                                 const std::optional<BootModule>& module, const PlatformDescription& description) {
    if (cmdline.size() >= pvh_cmdline_max)
        throw SetupError(exit_status::bad_input,
                         fmt::format("command line of {} bytes is longer than {}", cmdline.size(), pvh_cmdline_max - 1));
    PvhPlacement placement{pvh_start_info_gpa, 0};
    pvh::StartInfo info{};
    info.magic = pvh::start_magic;
    info.version = 1;
    info.cmdline_paddr = pvh_cmdline_gpa;
    put_string(memory, pvh_cmdline_gpa, cmdline);

    if (module) {
        uint64_t size = module->bytes.size();
        uint64_t rounded = (size + page - 1) & ~(page - 1);
        if (rounded > memory.size() || memory.size() - rounded < kernel.end)
            throw SetupError(exit_status::bad_input,
                             fmt::format("initrd of {} bytes does not fit in {} MiB of RAM above the kernel "
                                         "(which ends at {:#x}): give more --mem",
                                         size, memory.size() >> 20, kernel.end));
        uint64_t gpa = memory.size() - rounded;
        std::memcpy(memory.span(gpa, size)->data(), module->bytes.data(), size);
        put_string(memory, pvh_module_cmdline_gpa, module->cmdline.substr(0, 255));
        memory.write(pvh_modlist_gpa, pvh::ModlistEntry{gpa, size, pvh_module_cmdline_gpa, 0});
        info.nr_modules = 1;
        info.modlist_paddr = pvh_modlist_gpa;
        placement.module_gpa = gpa;
    }

    // As on a PC: RAM below 640 KiB (Linux puts its real-mode trampoline there, and
    // panics without any; the boot structures above are in it, and Linux keeps the whole
    // first megabyte for itself), the legacy hole up to 1 MiB reserved (the ACPI tables
    // are there), then RAM.
    const pvh::MemmapEntry map[] = {
        {0, pvh_low_ram_end, pvh::memmap_ram, 0},
        {pvh_low_ram_end, kernel_min_paddr - pvh_low_ram_end, pvh::memmap_reserved, 0},
        {kernel_min_paddr, memory.size() - kernel_min_paddr, pvh::memmap_ram, 0},
    };
    for (size_t i = 0; i < std::size(map); ++i) memory.write(pvh_memmap_gpa + i * sizeof(pvh::MemmapEntry), map[i]);
    info.memmap_paddr = pvh_memmap_gpa;
    info.memmap_entries = std::size(map);

    AcpiTables acpi = build_acpi_tables(description, pvh_acpi_gpa);
    if (acpi.bytes.size() > kernel_min_paddr - pvh_acpi_gpa)
        throw SetupError(exit_status::bad_input, fmt::format("ACPI tables of {} bytes do not fit below 1 MiB",
                                                             acpi.bytes.size()));
    std::memcpy(memory.span(pvh_acpi_gpa, acpi.bytes.size())->data(), acpi.bytes.data(), acpi.bytes.size());
    info.rsdp_paddr = acpi.rsdp_address;
    memory.write(pvh_start_info_gpa, info);
    return placement;
}

void set_pvh_entry_state(Vcpu& vcpu, uint32_t entry, uint64_t start_info) {
    kvm_sregs s = vcpu.sregs();
    s.cs = flat_segment(0x10, 0xb);    // execute/read, accessed
    s.ds = s.es = s.fs = s.gs = s.ss = flat_segment(0x18, 0x3);  // read/write, accessed
    s.tr = kvm_segment{};
    s.tr.selector = 0x20;
    s.tr.limit = 0x67;
    s.tr.type = 0xb;                          // 32-bit TSS, busy
    s.tr.present = 1;
    s.cr0 = 0x11;                             // PE, ET; paging off
    s.cr4 = 0;
    s.efer = 0;
    vcpu.set_sregs(s);

    kvm_regs r{};
    r.rip = entry;
    r.rbx = start_info;
    r.rflags = 0x2;                           // reserved bit; IF, TF, VM clear
    vcpu.set_regs(r);
}

} // namespace cocoon::vmm
