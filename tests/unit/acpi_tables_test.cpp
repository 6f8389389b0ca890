// The ACPI tables as an OS reads them: every table whole and summing to zero, the
// RSDP's two checksums, the pointers from RSDP to XSDT to FADT and MADT to DSDT, the
// MADT's entries for 1 and 4 vCPUs, and the descriptions the builder refuses.
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "support/acpi_blob.h"
#include "vmm/platform/acpi_tables.h"

using namespace cocoon::vmm;
using cocoon::test::AcpiBlob;
using cocoon::test::byte_sum;
using cocoon::test::platform_with;
using cocoon::test::read_le;

namespace {

constexpr uint64_t tables_gpa = 0xe0000;

std::string text(std::span<const uint8_t> bytes, size_t offset, size_t size) {
    return std::string(reinterpret_cast<const char*>(bytes.data() + offset), size);
}

TEST(AcpiTables, RsdpIsRevision2WithBothChecksumsAndPointsAtTheXsdt) {
    AcpiTables tables = build_acpi_tables(platform_with(1, 1), tables_gpa);
    AcpiBlob blob(tables);
    auto rsdp = blob.by_signature["RSDP"];
    ASSERT_EQ(rsdp.size(), 36u);
    EXPECT_EQ(tables.rsdp_address, tables_gpa);
    EXPECT_EQ(text(rsdp, 0, 8), "RSD PTR ");
    EXPECT_EQ(rsdp[15], 2);                                   // revision
    EXPECT_EQ(read_le(rsdp, 16, 4), 0u);                      // no RSDT
    EXPECT_EQ(read_le(rsdp, 20, 4), 36u);                     // length
    EXPECT_EQ(byte_sum(rsdp.first(20)), 0u);                  // the ACPI 1.0 checksum
    EXPECT_EQ(byte_sum(rsdp), 0u);                            // the extended checksum
    EXPECT_EQ(blob.address_of["XSDT"], tables_gpa + 36);
    EXPECT_TRUE(blob.by_signature.contains("XSDT"));
}

TEST(AcpiTables, EveryTableHasItsLengthAndSumsToZero) {
    for (unsigned vcpus : {1u, 4u}) {
        SCOPED_TRACE(testing::Message() << vcpus << " vCPUs");
        AcpiTables tables = build_acpi_tables(platform_with(vcpus, 3), tables_gpa);
        AcpiBlob blob(tables);
        size_t total = 0;
        for (const char* signature : {"RSDP", "XSDT", "FACP", "APIC", "DSDT"}) {
            SCOPED_TRACE(signature);
            ASSERT_TRUE(blob.by_signature.contains(signature));
            auto table = blob.by_signature[signature];
            EXPECT_EQ(byte_sum(table), 0u);
            size_t oem_id = std::string(signature) == "RSDP" ? 9 : 10;
            EXPECT_EQ(text(table, oem_id, 6), "COCOON");
            total += table.size();
        }
        EXPECT_EQ(total, tables.bytes.size()) << "the blob holds these five tables and nothing else";
        EXPECT_EQ(blob.by_signature["FACP"].size(), 276u);
        EXPECT_EQ(blob.by_signature["XSDT"].size(), 36u + 2 * 8);
    }
}

TEST(AcpiTables, XsdtListsTheFadtAndTheMadt) {
    AcpiTables tables = build_acpi_tables(platform_with(2, 1), tables_gpa);
    AcpiBlob blob(tables);
    auto xsdt = blob.by_signature["XSDT"];
    ASSERT_EQ(xsdt.size(), 52u);
    EXPECT_EQ(read_le(xsdt, 36, 8), blob.address_of["FACP"]);
    EXPECT_EQ(read_le(xsdt, 44, 8), blob.address_of["APIC"]);
    EXPECT_EQ(blob.by_signature["FACP"][8], 6);   // revision
    EXPECT_EQ(blob.by_signature["DSDT"][8], 2);
}

TEST(AcpiTables, FadtIsHardwareReducedAndPointsAtTheDsdt) {
    AcpiTables tables = build_acpi_tables(platform_with(1, 1), tables_gpa);
    AcpiBlob blob(tables);
    auto fadt = blob.by_signature["FACP"];
    ASSERT_EQ(fadt.size(), 276u);
    ASSERT_TRUE(blob.by_signature.contains("DSDT"));
    EXPECT_EQ(read_le(fadt, 40, 4), blob.address_of["DSDT"]);      // DSDT
    EXPECT_EQ(read_le(fadt, 140, 8), blob.address_of["DSDT"]);     // X_DSDT
    EXPECT_NE(read_le(fadt, 112, 4) & (1u << 20), 0u);             // HW_REDUCED_ACPI
    EXPECT_EQ(read_le(fadt, 109, 2) & 3u, 0u);                     // no legacy devices, no 8042
    EXPECT_EQ(read_le(fadt, 109, 2) & (1u << 5), 0u);              // a CMOS RTC,
    EXPECT_EQ(fadt[108], 0x32u);                                   // its century at byte 0x32
    PlatformDescription no_rtc = platform_with(1, 1);
    no_rtc.cmos_rtc = false;
    AcpiTables without_rtc = build_acpi_tables(no_rtc, tables_gpa);
    AcpiBlob without_blob(without_rtc);
    auto without = without_blob.by_signature["FACP"];
    EXPECT_NE(read_le(without, 109, 2) & (1u << 5), 0u);
    EXPECT_EQ(without[108], 0u);
    EXPECT_EQ(read_le(fadt, 36, 4), 0u);                           // no FACS
    EXPECT_EQ(text(fadt, 268, 8), "COCOONVM");                     // hypervisor vendor identity
}

TEST(AcpiTables, DsdtAbove4GiBKeepsOnlyTheExtendedPointer) {
    AcpiTables tables = build_acpi_tables(platform_with(1, 1), 0x100000000);
    AcpiBlob blob(tables);
    auto fadt = blob.by_signature["FACP"];
    ASSERT_EQ(fadt.size(), 276u);
    EXPECT_EQ(read_le(fadt, 40, 4), 0u);
    EXPECT_EQ(read_le(fadt, 140, 8), blob.address_of["DSDT"]);
    EXPECT_GT(blob.address_of["DSDT"], 0x100000000u);
}

TEST(AcpiTables, MadtHasALocalApicPerVcpuAndOneIoApic) {
    for (unsigned vcpus : {1u, 4u}) {
        SCOPED_TRACE(testing::Message() << vcpus << " vCPUs");
        PlatformDescription platform = platform_with(vcpus, 2);
        AcpiBlob blob(build_acpi_tables(platform, tables_gpa));
        auto madt = blob.by_signature["APIC"];
        ASSERT_GE(madt.size(), 44u);
        EXPECT_EQ(read_le(madt, 36, 4), platform.lapic_address);
        EXPECT_EQ(read_le(madt, 40, 4), 1u);   // PCAT_COMPAT: KVM's irqchip has the 8259s
        unsigned entries = 0, local_apics = 0, ioapics = 0;
        for (size_t at = 44; at < madt.size(); at += madt[at + 1], ++entries) {
            ASSERT_LE(at + 2, madt.size());
            ASSERT_GE(madt[at + 1], 2) << "an entry of length 0 or 1 at " << at;
            ASSERT_LE(at + madt[at + 1], madt.size());
            if (madt[at] == 0) {
                ASSERT_EQ(madt[at + 1], 8);
                EXPECT_EQ(madt[at + 2], local_apics);                  // ACPI processor UID
                EXPECT_EQ(madt[at + 3], local_apics);                  // APIC ID = vCPU index
                EXPECT_EQ(read_le(madt, at + 4, 4), 1u);               // enabled
                ++local_apics;
            } else if (madt[at] == 1) {
                ASSERT_EQ(madt[at + 1], 12);
                EXPECT_EQ(madt[at + 2], 0);                            // I/O APIC ID
                EXPECT_EQ(read_le(madt, at + 4, 4), platform.ioapic_address);
                EXPECT_EQ(read_le(madt, at + 8, 4), 0u);               // GSI base
                ++ioapics;
            }
        }
        EXPECT_EQ(local_apics, vcpus);
        EXPECT_EQ(ioapics, 1u);
        EXPECT_EQ(entries, vcpus + 1) << "no interrupt source override: GSI n is I/O APIC pin n";
    }
}

TEST(AcpiTables, RefusesWhatTheTablesCannotDescribe) {
    EXPECT_THROW(build_acpi_tables(platform_with(0, 0), tables_gpa), std::invalid_argument);
    EXPECT_THROW(build_acpi_tables(platform_with(256, 0), tables_gpa), std::invalid_argument);
    EXPECT_NO_THROW(build_acpi_tables(platform_with(255, 0), tables_gpa));
    PlatformDescription high = platform_with(1, 0);
    high.virtio_mmio.push_back({0xfffff000, 0x2000, 5});   // crosses 4 GiB
    EXPECT_THROW(build_acpi_tables(high, tables_gpa), std::invalid_argument);
}

} // namespace
