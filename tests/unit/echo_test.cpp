// How the log names a key: printable as itself, quoted; the others by name or number.
#include "vmm/console/echo.h"

#include <gtest/gtest.h>

using cocoon::vmm::key_name;

namespace {

TEST(KeyName, PrintableQuotedControlsNamedOthersInHex) {
    EXPECT_EQ(key_name('a'), "'a'");
    EXPECT_EQ(key_name(' '), "' '");
    EXPECT_EQ(key_name('\r'), "CR");
    EXPECT_EQ(key_name('\n'), "LF");
    EXPECT_EQ(key_name('\t'), "TAB");
    EXPECT_EQ(key_name('\b'), "BS");
    EXPECT_EQ(key_name(0x7f), "DEL");
    EXPECT_EQ(key_name(0x03), "^C");
    EXPECT_EQ(key_name(0x1b), "^[");
    EXPECT_EQ(key_name(0xc3), "0xc3");
}

} // namespace
