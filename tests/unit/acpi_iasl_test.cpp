// The ACPI tables through a parser cocoon did not write: ACPICA's iasl (Debian's
// acpica-tools, installed by scripts/setup.sh). It must disassemble every table
// without a complaint, show each device, CPU and I/O APIC the description holds, and
// compile its own disassembly back to the bytes cocoon wrote. iasl cannot load an
// RSDP, so that one goes the other way: iasl compiles it from its fields. Without
// iasl these tests fail; they never skip.
#include <stdlib.h>   // mkdtemp

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "support/acpi_blob.h"
#include "vmm/platform/acpi_tables.h"

using namespace cocoon::vmm;
using cocoon::test::AcpiBlob;
using cocoon::test::platform_with;

namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// "Error", "Warning" or "Remark" as a word: iasl's messages, and ACPICA's "Firmware
// Warning (ACPI): Incorrect checksum"; not the "0 Errors, 0 Warnings" of its summary.
bool complains(const std::string& log) { return std::regex_search(log, std::regex(R"(\b(Error|Warning|Remark)\b)")); }

int count(const std::string& text, const std::string& pattern) {
    std::regex re(pattern);
    return static_cast<int>(std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

bool shows(const std::string& text, const std::string& pattern) { return std::regex_search(text, std::regex(pattern)); }

// The disassembly of one LNRO0005 device, as iasl writes it, line by line.
std::string virtio_device_pattern(unsigned index, const VirtioMmioWindow& window) {
    return fmt::format(R"(Device \(VR{:02X}\)\s*\{{\s*)"
                       R"(Name \(_HID, "LNRO0005"\).*\s*Name \(_UID, .*\s*Name \(_CCA, One\).*\s*)"
                       R"(Name \(_CRS, ResourceTemplate \(\).*\s*\{{\s*)"
                       R"(Memory32Fixed \(ReadWrite,\s*0x{:08X},\s*// Address Base\s*)"
                       R"(0x{:08X},\s*// Address Length\s*\)\s*)"
                       R"(Interrupt \(ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, \)\s*\{{\s*0x{:08X},\s*\}})",
                       index, window.base, window.size, window.gsi);
}

const std::string com1_pattern =
    R"(Device \(COM1\)\s*\{\s*Name \(_HID, EisaId \("PNP0501"\).*\s*Name \(_UID, Zero\).*\s*)"
    R"(Name \(_CRS, ResourceTemplate \(\).*\s*\{\s*)"
    R"(IO \(Decode16,\s*0x03F8,\s*// Range Minimum\s*0x03F8,\s*// Range Maximum\s*0x00,\s*// Alignment\s*)"
    R"(0x08,\s*// Length\s*\)\s*IRQNoFlags \(\)\s*\{4\})";

const std::string ioapic_pattern = R"(I/O Apic ID : 00\s+\[.*\]\s+Reserved : 00\s+)"
                                   R"(\[.*\]\s+Address : FEC00000\s+\[.*\]\s+Interrupt : 00000000)";

class AcpiIasl : public testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(std::system("command -v iasl > /dev/null 2>&1"), 0)
            << "iasl is not installed: it is in Debian's acpica-tools (scripts/setup.sh installs it)";
        char name[] = "/tmp/cocoon-acpi-XXXXXX";
        ASSERT_NE(mkdtemp(name), nullptr);
        dir_ = name;
    }
    void TearDown() override {
        if (!dir_.empty()) fs::remove_all(dir_);
    }

    // `iasl ARGS FILE` in the scratch folder; the test fails when it exits non-zero
    // or complains.
    void iasl(const std::string& args, const std::string& file) {
        std::string log = file + ".log";
        std::string command = fmt::format("cd '{}' && iasl {} {} > {} 2>&1", dir_.string(), args, file, log);
        int status = std::system(command.c_str());
        std::string output = read_text(dir_ / log);
        EXPECT_EQ(status, 0) << command << ":\n" << output;
        EXPECT_FALSE(complains(output)) << command << ":\n" << output;
    }

    // Disassembles a table, compiles the disassembly back, and checks iasl got the
    // same bytes; only the compiler's own ID and version in the header (and so the
    // checksum) are iasl's. Returns the disassembly.
    std::string round_trip(const std::string& signature, std::span<const uint8_t> table) {
        std::string original(table.begin(), table.end());
        std::ofstream(dir_ / (signature + ".dat"), std::ios::binary) << original;
        iasl("-d", signature + ".dat");
        std::string disassembly = read_text(dir_ / (signature + ".dsl"));
        iasl("-oa", signature + ".dsl");   // -oa: no optimisation, so "\_SB_" stays as written
        std::string recompiled = read_text(dir_ / (signature + ".aml"));
        EXPECT_EQ(recompiled.size(), original.size()) << signature;
        EXPECT_EQ(recompiled.substr(0, 9), original.substr(0, 9)) << signature << ": signature, length, revision";
        EXPECT_EQ(recompiled.substr(10, 18), original.substr(10, 18)) << signature << ": the OEM's IDs";
        EXPECT_EQ(recompiled.substr(36), original.substr(36)) << signature << " comes back otherwise from:\n"
                                                              << disassembly;
        return disassembly;
    }

    fs::path dir_;
};

TEST_F(AcpiIasl, DisassemblesEveryTableAndCompilesItBackToTheSameBytes) {
    // 64 devices make the DSDT's scope longer than 4,095 bytes: a 3-byte PkgLength.
    for (auto [vcpus, disks] : {std::pair{1u, 1u}, {4u, 3u}, {16u, 64u}}) {
        SCOPED_TRACE(testing::Message() << vcpus << " vCPUs, " << disks << " virtio-mmio devices");
        PlatformDescription platform = platform_with(vcpus, disks);
        AcpiBlob blob(build_acpi_tables(platform, 0xe0000));
        for (const char* signature : {"XSDT", "FACP", "APIC", "DSDT"})
            ASSERT_TRUE(blob.by_signature.contains(signature)) << signature;

        std::string xsdt = round_trip("XSDT", blob.by_signature["XSDT"]);
        EXPECT_TRUE(shows(xsdt, fmt::format("Table Address   0 : {:016X}", blob.address_of["FACP"]))) << xsdt;
        EXPECT_TRUE(shows(xsdt, fmt::format("Table Address   1 : {:016X}", blob.address_of["APIC"]))) << xsdt;

        std::string fadt = round_trip("FACP", blob.by_signature["FACP"]);
        EXPECT_TRUE(shows(fadt, R"(Hardware Reduced \(V5\) : 1)")) << fadt;
        EXPECT_TRUE(shows(fadt, fmt::format("DSDT Address : {:016X}", blob.address_of["DSDT"]))) << fadt;

        std::string madt = round_trip("APIC", blob.by_signature["APIC"]);
        EXPECT_EQ(count(madt, R"(Subtable Type : 00 \[Processor Local APIC\])"), static_cast<int>(vcpus)) << madt;
        for (unsigned cpu = 0; cpu < vcpus; ++cpu)
            EXPECT_TRUE(shows(madt, fmt::format("Local Apic ID : {:02X}", cpu))) << madt;
        EXPECT_EQ(count(madt, R"(Subtable Type : 01 \[I/O APIC\])"), 1) << madt;
        EXPECT_TRUE(shows(madt, ioapic_pattern)) << madt;
        EXPECT_EQ(count(madt, "Interrupt Source Override"), 0) << madt;

        std::string dsdt = round_trip("DSDT", blob.by_signature["DSDT"]);
        EXPECT_EQ(count(dsdt, R"(Name \(_HID, "LNRO0005"\))"), static_cast<int>(disks)) << dsdt;
        for (unsigned i = 0; i < disks; ++i)
            EXPECT_TRUE(shows(dsdt, virtio_device_pattern(i, platform.virtio_mmio[i])))
                << "device " << i << ":\n" << dsdt;
        EXPECT_TRUE(shows(dsdt, com1_pattern)) << dsdt;
    }
}

TEST_F(AcpiIasl, CompilesTheRsdpFromItsFieldsToTheSameBytes) {
    AcpiBlob blob(build_acpi_tables(platform_with(2, 1), 0xe0000));
    auto rsdp = blob.by_signature["RSDP"];
    // iasl's data-table source, checksums 0: iasl computes both itself.
    std::ofstream(dir_ / "rsdp.asl") << "[0008] Signature : \"RSD PTR \"\n"
                                     << "[0001] Checksum : 00\n"
                                     << "[0006] Oem ID : \"COCOON\"\n"
                                     << "[0001] Revision : 02\n"
                                     << "[0004] RSDT Address : 00000000\n"
                                     << "[0004] Length : 00000024\n"
                                     << fmt::format("[0008] XSDT Address : {:016X}\n", blob.address_of["XSDT"])
                                     << "[0001] Extended Checksum : 00\n"
                                     << "[0003] Reserved : 000000\n";
    iasl("", "rsdp.asl");
    EXPECT_EQ(read_text(dir_ / "rsdp.aml"), std::string(rsdp.begin(), rsdp.end()));
}

} // namespace
