#include "vmm/platform/acpi_tables.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "cocoon/platform.h"
#include "vmm/platform/aml.h"

namespace cocoon::vmm {
namespace {

using aml::append;
using aml::append_le;
using aml::Bytes;

// Field offsets (ACPI 6.5, 5.2.5 to 5.2.12), from the start of each table.
constexpr size_t rsdp_size = 36, rsdp_v1_size = 20, header_size = 36;
constexpr size_t length_offset = 4, checksum_offset = 9, rsdp_checksum_offset = 8, rsdp_ext_checksum_offset = 32;
constexpr size_t xsdt_entries = 2;   // the FADT and the MADT; the FADT leads to the DSDT
constexpr size_t fadt_size = 276, fadt_dsdt = 40, fadt_century = 108, fadt_iapc_boot_arch = 109, fadt_flags = 112,
                 fadt_minor_version = 131, fadt_x_dsdt = 140, fadt_hypervisor_vendor = 268;

constexpr std::string_view oem_id = "COCOON";            // 6 characters, as the field
constexpr std::string_view oem_table_prefix = "COCN";    // + the signature: "COCNDSDT"
constexpr uint32_t oem_revision = 1, creator_revision = 1;
constexpr std::string_view hypervisor_vendor = "COCOONVM";   // the FADT's 8-byte field

void put_le(Bytes& table, size_t offset, uint64_t value, unsigned size) {
    for (unsigned i = 0; i < size; ++i) table[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

// A byte at a time: GCC 12 at -O2 takes a range insert into a vector still empty for an
// overflow (-Wstringop-overflow, a false positive) and fails the release build.
void append_text(Bytes& out, std::string_view text) {
    for (char c : text) out.push_back(static_cast<uint8_t>(c));
}

// The byte that makes [begin, end) sum to 0 mod 256 when it stands in for a 0 there.
uint8_t checksum(Bytes::const_iterator begin, Bytes::const_iterator end) {
    return static_cast<uint8_t>(-std::accumulate(begin, end, 0u));
}

// The 36-byte header every table but the RSDP starts with; finish() fills in its
// length and checksum once the body follows.
Bytes header(std::string_view signature, uint8_t revision) {
    Bytes table;
    append_text(table, signature);
    append_le(table, 0, 4);          // length
    table.push_back(revision);
    table.push_back(0);              // checksum
    append_text(table, oem_id);
    append_text(table, oem_table_prefix);
    append_text(table, signature);
    append_le(table, oem_revision, 4);
    append_text(table, oem_table_prefix);   // creator ID: cocoon made them all
    append_le(table, creator_revision, 4);
    return table;
}

Bytes finish(Bytes table) {
    put_le(table, length_offset, table.size(), 4);
    table[checksum_offset] = checksum(table.begin(), table.end());
    return table;
}

Bytes rsdp(uint64_t xsdt_address) {
    Bytes table;
    append_text(table, "RSD PTR ");
    table.push_back(0);              // checksum of the ACPI 1.0 part
    append_text(table, oem_id);
    table.push_back(2);              // revision 2: the XSDT address and length follow
    append_le(table, 0, 4);          // no RSDT: an OS that reads revision 2 takes the XSDT
    append_le(table, rsdp_size, 4);
    append_le(table, xsdt_address, 8);
    append_le(table, 0, 4);          // extended checksum, 3 reserved bytes
    table[rsdp_checksum_offset] = checksum(table.begin(), table.begin() + rsdp_v1_size);
    table[rsdp_ext_checksum_offset] = checksum(table.begin(), table.end());
    return table;
}

Bytes xsdt(const std::vector<uint64_t>& tables) {
    Bytes table = header("XSDT", 1);
    for (uint64_t address : tables) append_le(table, address, 8);
    return finish(table);
}

Bytes fadt(const PlatformDescription& platform, uint64_t dsdt_address) {
    Bytes table = header("FACP", 6);
    table.resize(fadt_size);
    // An OS prefers X_DSDT; the 32-bit copy is for those that read only it, and must
    // be 0 where the address does not fit.
    put_le(table, fadt_dsdt, dsdt_address <= std::numeric_limits<uint32_t>::max() ? dsdt_address : 0, 4);
    put_le(table, fadt_x_dsdt, dsdt_address, 8);
    // No VGA, no MSI (there is no PCI); no 8042 and no legacy devices beyond those the
    // DSDT names (bits 1 and 0 clear), so Linux probes none of them (the i8042 is there
    // for its reset line only). The CMOS RTC, when there, with its century byte.
    constexpr uint16_t vga_not_present = 1 << 2, msi_not_supported = 1 << 3, cmos_rtc_not_present = 1 << 5;
    put_le(table, fadt_iapc_boot_arch,
           vga_not_present | msi_not_supported | (platform.cmos_rtc ? 0 : cmos_rtc_not_present), 2);
    if (platform.cmos_rtc) table[fadt_century] = 0x32;
    // Hardware-reduced: no PM timer, GPE or SCI registers to fill in, no FACS, and
    // no fixed-feature power or sleep button (bits 4, 5: buttons would be devices).
    constexpr uint32_t power_button_is_device = 1 << 4, sleep_button_is_device = 1 << 5, hw_reduced_acpi = 1 << 20;
    put_le(table, fadt_flags, power_button_is_device | sleep_button_is_device | hw_reduced_acpi, 4);
    table[fadt_minor_version] = 3;   // ACPI 6.3, whose MADT is revision 5
    std::copy(hypervisor_vendor.begin(), hypervisor_vendor.end(), table.begin() + fadt_hypervisor_vendor);
    return finish(table);
}

Bytes madt(const PlatformDescription& platform) {
    Bytes table = header("APIC", 5);
    append_le(table, platform.lapic_address, 4);
    append_le(table, platform.dual_8259 ? 1 : 0, 4);   // PCAT_COMPAT: the 8259s are there
    for (unsigned cpu = 0; cpu < platform.vcpus; ++cpu) {
        constexpr uint32_t enabled = 1;
        table.insert(table.end(), {0, 8, static_cast<uint8_t>(cpu), static_cast<uint8_t>(cpu)});  // UID, APIC ID
        append_le(table, enabled, 4);
    }
    // ID 0: what the ID register of KVM's in-kernel I/O APIC holds from reset, and
    // what QEMU and Firecracker declare. GSI base 0: its 24 pins are GSIs 0-23.
    constexpr uint8_t ioapic_id = 0;
    table.insert(table.end(), {1, 12, ioapic_id, 0});
    append_le(table, platform.ioapic_address, 4);
    append_le(table, 0, 4);
    // No Interrupt Source Override. KVM's default GSI routing, which cocoon keeps,
    // wires GSI n to I/O APIC pin n, so the PIT's irqfd on GSI 0 arrives at pin 0 and
    // every ISA IRQ is its own GSI, which is what ACPI assumes without an override.
    // QEMU's PC declares IRQ 0 -> GSI 2 because it reroutes GSI 0 to pin 2; that
    // override here would send Linux to a pin nothing raises. QEMU's microvm and
    // Firecracker declare none either.
    return finish(table);
}

Bytes virtio_mmio_device(unsigned index, const VirtioMmioWindow& window) {
    // Edge, not the Level of QEMU's microvm: cocoon's irqfd (no resample fd) pulses
    // the line, and KVM's I/O APIC drops a pulse on a level-triggered pin while that
    // pin awaits its EOI, so a completion during the driver's handler would be lost.
    // Firecracker declares Edge for the same irqfd. Linux's virtio_mmio takes either.
    Bytes resources = aml::memory32_fixed(true, static_cast<uint32_t>(window.base), static_cast<uint32_t>(window.size));
    append(resources, aml::interrupt(aml::Trigger::edge, aml::Polarity::active_high, window.gsi));

    Bytes body = aml::name("_HID", aml::string("LNRO0005"));   // what virtio_mmio's ACPI match table names
    append(body, aml::name("_UID", aml::integer(index)));
    append(body, aml::name("_CCA", aml::integer(1)));          // DMA is cache-coherent
    append(body, aml::name("_CRS", aml::resource_template(resources)));
    return aml::device(fmt::format("VR{:02X}", index), body);
}

Bytes com1_device() {
    // Alignment 0, as QEMU writes it: the range is fixed (minimum = maximum).
    Bytes resources = aml::io_decode16(platform::uart_port, platform::uart_port, 0, platform::uart_port_count);
    append(resources, aml::irq_no_flags(platform::uart_irq));   // ISA: edge, active high

    Bytes body = aml::name("_HID", aml::eisa_id("PNP0501"));   // a 16550-compatible UART
    append(body, aml::name("_UID", aml::integer(0)));
    append(body, aml::name("_CRS", aml::resource_template(resources)));
    return aml::device("COM1", body);
}

Bytes dsdt(const PlatformDescription& platform) {
    Bytes devices;
    for (unsigned i = 0; i < platform.virtio_mmio.size(); ++i)
        append(devices, virtio_mmio_device(i, platform.virtio_mmio[i]));
    if (platform.com1) append(devices, com1_device());
    Bytes table = header("DSDT", 2);   // revision 2: AML integers are 64 bits
    append(table, aml::scope("\\_SB_", devices));
    return finish(table);
}

void check(const PlatformDescription& platform) {
    if (platform.vcpus < 1 || platform.vcpus > 255)
        throw std::invalid_argument(
            fmt::format("{} vCPUs: the MADT's local APIC entries hold 1 to 255", platform.vcpus));
    if (platform.virtio_mmio.size() > 256)
        throw std::invalid_argument("more than 256 virtio-mmio devices: their names are VR00 to VRFF");
    for (const VirtioMmioWindow& window : platform.virtio_mmio)
        if (window.base >> 32 || window.size > (uint64_t{1} << 32) - window.base)
            throw std::invalid_argument(fmt::format("virtio-mmio window {:#x}+{:#x} is not below 4 GiB, "
                                                    "where Memory32Fixed can name it", window.base, window.size));
}

} // namespace

AcpiTables build_acpi_tables(const PlatformDescription& platform, uint64_t gpa) {
    check(platform);
    Bytes madt_table = madt(platform);
    Bytes dsdt_table = dsdt(platform);
    // RSDP, XSDT, FADT, MADT, DSDT, back to back from gpa.
    uint64_t xsdt_address = gpa + rsdp_size;
    uint64_t fadt_address = xsdt_address + header_size + xsdt_entries * 8;
    uint64_t madt_address = fadt_address + fadt_size;
    uint64_t dsdt_address = madt_address + madt_table.size();

    AcpiTables tables{rsdp(xsdt_address), gpa};
    for (const Bytes& table : {xsdt({fadt_address, madt_address}), fadt(platform, dsdt_address), madt_table, dsdt_table})
        append(tables.bytes, table);
    return tables;
}

} // namespace cocoon::vmm
