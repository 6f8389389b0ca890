// The AML encoder's pieces against the encodings of ACPI 6.5 chapters 6.4 and 20:
// PkgLength at each size boundary, the shortest integer forms, EisaId, name
// segments, and one resource descriptor of each kind byte for byte.
#include <stdexcept>

#include <gtest/gtest.h>

#include "vmm/platform/aml.h"

using namespace cocoon::vmm::aml;

namespace {

TEST(AcpiAml, PkgLengthCountsItselfAndGrowsAtEachBoundary) {
    EXPECT_EQ(pkg_length(0), (Bytes{0x01}));
    EXPECT_EQ(pkg_length(62), (Bytes{0x3f}));                 // 63 in one byte
    EXPECT_EQ(pkg_length(63), (Bytes{0x41, 0x04}));           // 65 = 0x041: low nibble in the lead byte
    EXPECT_EQ(pkg_length(4093), (Bytes{0x4f, 0xff}));         // 4095, the most two bytes hold
    EXPECT_EQ(pkg_length(4094), (Bytes{0x81, 0x00, 0x01}));   // 4097
    EXPECT_EQ(pkg_length((1u << 20) - 4), (Bytes{0x8f, 0xff, 0xff}));
    EXPECT_EQ(pkg_length((1u << 20) - 3), (Bytes{0xc1, 0x00, 0x00, 0x01}));
    EXPECT_THROW(pkg_length(1u << 28), std::length_error);
}

TEST(AcpiAml, IntegersTakeTheShortestForm) {
    EXPECT_EQ(integer(0), (Bytes{0x00}));                     // Zero
    EXPECT_EQ(integer(1), (Bytes{0x01}));                     // One
    EXPECT_EQ(integer(2), (Bytes{0x0a, 0x02}));
    EXPECT_EQ(integer(0x100), (Bytes{0x0b, 0x00, 0x01}));
    EXPECT_EQ(integer(0xd0000000), (Bytes{0x0c, 0x00, 0x00, 0x00, 0xd0}));
    EXPECT_EQ(integer(0x100000000), (Bytes{0x0e, 0, 0, 0, 0, 1, 0, 0, 0}));
}

TEST(AcpiAml, EisaIdPacksLettersAndDigits) {
    EXPECT_EQ(eisa_id("PNP0501"), (Bytes{0x0c, 0x41, 0xd0, 0x05, 0x01}));   // 0x0105D041
    EXPECT_EQ(eisa_id("PNP0A03"), (Bytes{0x0c, 0x41, 0xd0, 0x0a, 0x03}));
    EXPECT_THROW(eisa_id("pnp0501"), std::invalid_argument);
    EXPECT_THROW(eisa_id("PNP050"), std::invalid_argument);
}

TEST(AcpiAml, NamesAndStrings) {
    EXPECT_EQ(name("_UID", integer(1)), (Bytes{0x08, '_', 'U', 'I', 'D', 0x01}));
    EXPECT_EQ(string("ab"), (Bytes{0x0d, 'a', 'b', 0x00}));
    EXPECT_EQ(scope("\\_SB_", {}), (Bytes{0x10, 0x06, 0x5c, '_', 'S', 'B', '_'}));
    EXPECT_EQ(device("COM1", {}), (Bytes{0x5b, 0x82, 0x05, 'C', 'O', 'M', '1'}));
    EXPECT_THROW(name("_SB", {}), std::invalid_argument);    // three characters: ASL pads, this does not
    EXPECT_THROW(name("1ABC", {}), std::invalid_argument);   // a digit may not lead
    EXPECT_THROW(device("vr00", {}), std::invalid_argument);
}

TEST(AcpiAml, ResourceDescriptorsByteForByte) {
    EXPECT_EQ(memory32_fixed(true, 0xd0000000, 0x200),
              (Bytes{0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0xd0, 0x00, 0x02, 0x00, 0x00}));
    // Consumer (bit 0), edge (bit 1), active high, exclusive; one GSI.
    EXPECT_EQ(interrupt(Trigger::edge, Polarity::active_high, 5), (Bytes{0x89, 0x06, 0x00, 0x03, 0x01, 5, 0, 0, 0}));
    EXPECT_EQ(interrupt(Trigger::level, Polarity::active_low, 5)[3], 0x05);
    EXPECT_EQ(io_decode16(0x3f8, 0x3f8, 0, 8), (Bytes{0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00, 0x08}));
    EXPECT_EQ(irq_no_flags(4), (Bytes{0x22, 0x10, 0x00}));
    EXPECT_THROW(irq_no_flags(16), std::invalid_argument);
    // Buffer (PkgLength, size, bytes) of the descriptors and the End Tag.
    EXPECT_EQ(resource_template(irq_no_flags(4)), (Bytes{0x11, 0x08, 0x0a, 0x05, 0x22, 0x10, 0x00, 0x79, 0x00}));
}

} // namespace
