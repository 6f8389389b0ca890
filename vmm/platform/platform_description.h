// The machine as its guest sees it, in one plain description built from cocoon's
// options: what the ACPI tables (acpi_tables.h) and the boot code tell the guest.
#pragma once
#include <cstdint>
#include <vector>

namespace cocoon::vmm {

struct VirtioMmioWindow {
    uint64_t base;   // guest-physical
    uint64_t size;
    uint32_t gsi;    // the I/O APIC input the device's irqfd raises
};

struct PlatformDescription {
    unsigned vcpus = 1;                     // APIC IDs 0 .. vcpus-1
    uint32_t lapic_address = 0xfee00000;
    uint32_t ioapic_address = 0xfec00000;
    std::vector<VirtioMmioWindow> virtio_mmio;
    bool com1 = true;                       // the 16550 at 0x3f8, IRQ 4 (cocoon/platform.h)
    bool cmos_rtc = true;                   // the RTC at 0x70, its century at CMOS byte 0x32
    bool dual_8259 = true;                  // KVM_CREATE_IRQCHIP includes the PIC pair
};

} // namespace cocoon::vmm
