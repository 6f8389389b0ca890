// Guest text as cocoon writes it out (vmm/log/guest_text.h): printable, valid UTF-8,
// every other byte as \xHH, bounded; as part of a file name; and in XML.
#include "vmm/log/guest_text.h"

#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "vmm/svg/xml_escape.h"

using namespace cocoon::vmm;

namespace {

// Valid UTF-8 as nlohmann's strict writer sees it (it throws type_error.316 otherwise),
// and no control character: what a JSON file and a terminal need.
void expect_printable_utf8(const std::string& text) {
    EXPECT_NO_THROW((void)nlohmann::json(text).dump()) << text;
    for (char c : text) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << text;
}

} // namespace

TEST(GuestText, PrintableTextStaysAndEveryOtherByteIsEscaped) {
    EXPECT_EQ(guest_text("heapgrow"), "heapgrow");
    EXPECT_EQ(guest_text("caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x90\x9b"), "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x90\x9b");
    EXPECT_EQ(guest_text("a\xff" "b"), "a\\xFFb");
    EXPECT_EQ(guest_text("\x1b[2J\n\r\t"), "\\x1B[2J\\x0A\\x0D\\x09");
    EXPECT_EQ(guest_text(std::string_view("a\0b\x7f", 4)), "a\\x00b\\x7F");
    EXPECT_EQ(guest_text("back\\slash"), "back\\\\slash");  // so \xFF always means a byte
    EXPECT_EQ(guest_text("\xc2\x85"), "\\xC2\\x85");           // C1 control NEL
    EXPECT_EQ(guest_text("ab\xe2\x80\xae" "cd"), "ab\\xE2\\x80\\xAEcd");  // right-to-left override
    EXPECT_EQ(guest_text("\xe2\x80\xa8"), "\\xE2\\x80\\xA8");  // line separator
    EXPECT_EQ(guest_text("\xc0\xaf"), "\\xC0\\xAF");           // overlong '/'
    EXPECT_EQ(guest_text("\xed\xa0\x80"), "\\xED\\xA0\\x80");  // a surrogate
    EXPECT_EQ(guest_text("\xf4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");  // past U+10FFFF
    EXPECT_EQ(guest_text("x\xe2\x82"), "x\\xE2\\x82");         // cut short
    EXPECT_EQ(guest_text("\x80y"), "\\x80y");                  // a stray continuation byte
}

TEST(GuestText, ASixteenByteNameIsNeverCutAndLongerTextIsBounded) {
    EXPECT_EQ(guest_text(std::string(16, '\xff')).size(), 64u);
    EXPECT_EQ(guest_text(std::string(16, '\xff')).find("…"), std::string::npos);
    std::string cut = guest_text(std::string(100, 'a'), 10);
    EXPECT_EQ(cut, "aaaaaaa…");
    cut = guest_text(std::string(10, '\x01'), 16);  // \x01 is 4 bytes: three fit before "…"
    EXPECT_EQ(cut, "\\x01\\x01\\x01…");
    cut = guest_text("\xe2\x86\x92\xe2\x86\x92\xe2\x86\x92", 7);  // cut at a character, not in one
    EXPECT_EQ(cut, "\xe2\x86\x92…");
    EXPECT_EQ(guest_text("abcdefghij", 10), "abcdefghij");  // exactly the limit: whole
    EXPECT_EQ(guest_text("abcdefghijk", 2), "ab");          // no room for "…"
}

TEST(GuestText, AnyBytesComeOutPrintableValidUtf8) {
    for (int b = 0; b < 256; ++b) expect_printable_utf8(guest_text(std::string(1, static_cast<char>(b))));
    std::mt19937 random(14);
    for (int i = 0; i < 2000; ++i) {
        std::string bytes(random() % 40, '\0');
        for (char& c : bytes) c = static_cast<char>(random());
        size_t limit = random() % 80;
        std::string text = guest_text(bytes, limit);
        EXPECT_LE(text.size(), limit);
        expect_printable_utf8(text);
    }
}

TEST(GuestText, AFileNamePartStaysInItsFolder) {
    EXPECT_EQ(file_name_part("heapgrow"), "heapgrow");
    EXPECT_EQ(file_name_part("../../etc/x"), ".._.._etc_x");
    EXPECT_EQ(file_name_part("/tmp/x"), "_tmp_x");
    EXPECT_EQ(file_name_part(guest_text("a\xff")), "a_xFF");
}

TEST(XmlEscape, MarkupIsEscapedAndAnyBytesBecomeValidUtf8) {
    EXPECT_EQ(xml_escape("a<b&c>'d'"), "a&lt;b&amp;c&gt;&apos;d&apos;");
    EXPECT_EQ(xml_escape("caf\xc3\xa9"), "caf\xc3\xa9");
    EXPECT_EQ(xml_escape("a\xff" "b\x1b"), "a\xef\xbf\xbd" "b?");
    EXPECT_EQ(xml_escape("\xef\xbf\xbe"), "\xef\xbf\xbd");  // U+FFFE is no XML character
    for (int b = 0; b < 256; ++b) expect_printable_utf8(xml_escape(std::string(1, static_cast<char>(b))));
}
