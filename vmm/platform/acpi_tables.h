// The platform's ACPI tables, as bytes to copy into guest RAM: RSDP, XSDT, FADT
// (hardware-reduced), MADT and DSDT, all generated from a PlatformDescription. A
// distribution Linux finds its other CPUs, the I/O APIC and its local-APIC timer in
// the MADT, and the virtio-mmio devices (LNRO0005) and COM1 in the DSDT.
//
// The blob holds the RSDP at its first byte and the other tables after it, every
// pointer already the guest-physical address the table will have once the blob is
// copied to `gpa`. For PVH, hvm_start_info.rsdp_paddr = rsdp_address.
//
//     AcpiTables acpi = build_acpi_tables(description, acpi_tables_gpa);
//     std::memcpy(memory.span(acpi_tables_gpa, acpi.bytes.size())->data(), acpi.bytes.data(), acpi.bytes.size());
//     info.rsdp_paddr = acpi.rsdp_address;
#pragma once
#include <cstdint>
#include <vector>

#include "vmm/platform/platform_description.h"

namespace cocoon::vmm {

struct AcpiTables {
    std::vector<uint8_t> bytes;
    uint64_t rsdp_address;   // == the gpa given
};

// Throws std::invalid_argument for what the tables cannot describe: no vCPU or more
// than 255 (xAPIC IDs), a virtio-mmio window above 4 GiB, more than 256 devices.
AcpiTables build_acpi_tables(const PlatformDescription& platform, uint64_t gpa);

} // namespace cocoon::vmm
