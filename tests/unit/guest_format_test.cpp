// printf's conversions as the kernel and the user runtime share them
// (guest/freestanding/format.h), run on the host.
#include "freestanding/format.h"

#include <cstdarg>
#include <string>

#include <gtest/gtest.h>

namespace {

std::string formatted(const char* format, ...) {
    std::string out;
    auto put = [&out](char c) { out.push_back(c); };
    va_list args;
    va_start(args, format);
    freestanding::format(put, format, args);
    va_end(args);
    return out;
}

TEST(GuestFormat, ConversionsWidthsAndLengths) {
    EXPECT_EQ(formatted("%s=%d, %u, %x", "pid", -42, 7u, 0xbeefu), "pid=-42, 7, beef");
    EXPECT_EQ(formatted("[%5d] [%05x] %c", 42, 0xabu, 'z'), "[   42] [000ab] z");
    EXPECT_EQ(formatted("%ld %lu %lx", -1L, 18446744073709551615ul, 0xffffffffffull), "-1 18446744073709551615 ffffffffff");
    EXPECT_EQ(formatted("%lld", static_cast<long long>(-9223372036854775807LL - 1)), "-9223372036854775808");
    EXPECT_EQ(formatted("%p", reinterpret_cast<void*>(0x1000)), "0x1000");
}

TEST(GuestFormat, StringsTakeAWidthOnEitherSide) {
    EXPECT_EQ(formatted("[%6s] [%-6s] [%2s]", "ps", "ready", "running"), "[    ps] [ready ] [running]");
    EXPECT_EQ(formatted("[%-8s]", static_cast<const char*>(nullptr)), "[(null)  ]");
}

TEST(GuestFormat, OddFormatsPrintAsWrittenAndStopAtTheirEnd) {
    EXPECT_EQ(formatted("100%%"), "100%");
    EXPECT_EQ(formatted("%q"), "%q");
    EXPECT_EQ(formatted("ends in %"), "ends in %");  // not a read past the terminator
    EXPECT_EQ(formatted("%s", static_cast<const char*>(nullptr)), "(null)");
    EXPECT_EQ(formatted("%40d", 1).size(), 32u);  // the width stops at the digit buffer
}

} // namespace
