// The tables of an AcpiTables blob, found the way an OS finds them: the RSDP at the
// start, the XSDT it points at, the tables the XSDT lists and the DSDT the FADT
// points at. A pointer that leads outside the blob leaves the table out.
#pragma once
#include <algorithm>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>

#include "cocoon/platform.h"
#include "vmm/platform/acpi_tables.h"

namespace cocoon::test {

inline uint64_t read_le(std::span<const uint8_t> bytes, size_t offset, unsigned size) {
    uint64_t value = 0;
    for (unsigned i = 0; i < size && offset + i < bytes.size(); ++i) value |= uint64_t{bytes[offset + i]} << (8 * i);
    return value;
}

inline unsigned byte_sum(std::span<const uint8_t> bytes) {
    unsigned sum = 0;
    for (uint8_t b : bytes) sum += b;
    return sum % 256;
}

// cocoon's machine with `vcpus` vCPUs and `disks` virtio-mmio windows where
// cocoon/platform.h puts them.
inline vmm::PlatformDescription platform_with(unsigned vcpus, unsigned disks) {
    vmm::PlatformDescription description;
    description.vcpus = vcpus;
    for (unsigned i = 0; i < disks; ++i)
        description.virtio_mmio.push_back({platform::virtio_mmio_base + i * platform::virtio_mmio_stride,
                                           platform::virtio_mmio_size, platform::virtio_mmio_irq_base + i});
    return description;
}

struct AcpiBlob {
    const vmm::AcpiTables tables;   // a copy, which the spans below point into
    std::map<std::string, std::span<const uint8_t>> by_signature;   // "RSDP", "XSDT", "FACP", "APIC", "DSDT"
    std::map<std::string, uint64_t> address_of;

    explicit AcpiBlob(vmm::AcpiTables t) : tables(std::move(t)) {
        std::span<const uint8_t> all(tables.bytes);
        by_signature["RSDP"] = all.first(std::min<size_t>(36, all.size()));
        address_of["RSDP"] = tables.rsdp_address;
        auto xsdt = add(read_le(all, 24, 8));
        for (size_t entry = 36; entry + 8 <= xsdt.size(); entry += 8) add(read_le(xsdt, entry, 8));
        if (by_signature.contains("FACP")) add(read_le(by_signature["FACP"], 140, 8));
    }

    AcpiBlob(const AcpiBlob&) = delete;
    AcpiBlob& operator=(const AcpiBlob&) = delete;

    // The table at guest-physical `address`, by its own length field.
    std::span<const uint8_t> add(uint64_t address) {
        std::span<const uint8_t> all(tables.bytes);
        uint64_t offset = address - tables.rsdp_address;
        if (address < tables.rsdp_address || offset + 36 > all.size()) return {};
        uint64_t length = read_le(all, offset + 4, 4);
        if (length < 36 || offset + length > all.size()) return {};
        std::string signature(reinterpret_cast<const char*>(all.data() + offset), 4);
        by_signature[signature] = all.subspan(offset, length);
        address_of[signature] = address;
        return by_signature[signature];
    }
};

} // namespace cocoon::test
