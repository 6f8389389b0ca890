// Matching the guest's output with the bytes typed, on a made-up clock: each echo timed
// from the byte's entry into the FIFO; Enter, backspace and control characters in the
// forms line disciplines echo them; keys read together and echoed together; a byte with
// no echo counted apart and never timed; typing ahead not judged.
#include "vmm/console/echo_matcher.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

using cocoon::vmm::Echo;
using cocoon::vmm::EchoMatcher;
using cocoon::vmm::HostTime;

namespace {

HostTime at(int ms) { return HostTime{} + std::chrono::milliseconds(ms); }

struct EchoMatcherTest : ::testing::Test {
    EchoMatcher matcher;
    std::vector<Echo> echoes;

    // The host hands `keys` to the FIFO at `ms`, and the guest reads them.
    void type(const std::string& keys, int ms) {
        for (char c : keys) matcher.entered(static_cast<uint8_t>(c), at(ms));
        for (size_t i = 0; i < keys.size(); ++i) matcher.left();
    }
    void guest_writes(const std::string& text, int ms) {
        for (char c : text)
            if (auto echo = matcher.sent(static_cast<uint8_t>(c), at(ms))) echoes.push_back(*echo);
    }
    // "a@3 b@5": each echo's byte and latency in ms.
    std::string timed() const {
        std::string text;
        for (const Echo& e : echoes) {  // piece by piece: GCC 12's -Wrestrict misjudges `" " + std::string` at -O2
            if (!text.empty()) text += ' ';
            text += char(e.byte);
            text += '@';
            text += std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(e.latency()).count());
        }
        return text;
    }
};

TEST_F(EchoMatcherTest, EachEchoIsTimedFromTheFifoToTheGuestsWrite) {
    type("a", 10);
    guest_writes("a", 13);
    type("b", 20);
    guest_writes("b", 27);
    EXPECT_EQ(timed(), "a@3 b@7");
    EXPECT_EQ(echoes[0].handed, at(10));
    EXPECT_EQ(echoes[0].echoed, at(13));
    EXPECT_EQ(matcher.not_echoed(), 0u);
    EXPECT_TRUE(matcher.idle());
}

TEST_F(EchoMatcherTest, EnterIsEchoedByANewlineWithOrWithoutCr) {
    type("\r", 0);
    guest_writes("\r\n", 2);
    EXPECT_TRUE(matcher.idle());  // the "\n" belonged to the echo
    type("\n", 10);
    guest_writes("\n", 11);
    type("\r", 20);
    guest_writes("\n", 24);
    EXPECT_EQ(timed(), "\r@2 \n@1 \r@4");
}

// As Linux's n_tty does: it reads a batch, then echoes it, "\b \b" erasing a character.
TEST_F(EchoMatcherTest, KeysReadTogetherAreMatchedOneByOneThroughAMultiByteEcho) {
    type("x\x7fy\x03", 0);
    guest_writes("x\b \by^C", 5);
    ASSERT_EQ(echoes.size(), 4u);
    EXPECT_EQ(echoes[1].byte, 0x7f);
    EXPECT_EQ(echoes[3].byte, 0x03);
    EXPECT_EQ(matcher.not_echoed(), 0u);
}

TEST_F(EchoMatcherTest, ControlCharactersInCaretFormAndTabAsItself) {
    type("\x03", 0);
    guest_writes("^C\n", 1);  // the newline after ^C is output of its own: nothing awaits it
    type("\t\x1a", 2);
    guest_writes("\t^Z", 4);
    EXPECT_EQ(timed(), "\x03@1 \t@2 \x1a@2");
    EXPECT_EQ(matcher.not_echoed(), 0u);
}

// A program in raw mode that answers a key with its own text: that is not an echo.
TEST_F(EchoMatcherTest, AByteAnsweredOtherwiseIsCountedApartAndNeverTimed) {
    type("q", 0);
    guest_writes("bye\n", 900);
    EXPECT_TRUE(echoes.empty());
    EXPECT_EQ(matcher.not_echoed(), 1u);
    EXPECT_TRUE(matcher.idle());
}

// Ctrl-D ends a line without an echo; the key after it is still matched with its own.
TEST_F(EchoMatcherTest, AByteWithoutEchoDoesNotHoldUpTheNext) {
    type("\x04" "a", 0);
    guest_writes("a", 2);
    EXPECT_EQ(timed(), "a@2");
    EXPECT_EQ(matcher.not_echoed(), 1u);
}

// Output between a byte's read and its echo: the byte is counted as not echoed, rather
// than timed by whatever came later.
TEST_F(EchoMatcherTest, OutputBeforeTheEchoMakesTheByteNotEchoed) {
    type("a", 0);
    guest_writes("[tick]", 1);
    guest_writes("a", 2);
    EXPECT_TRUE(echoes.empty());
    EXPECT_EQ(matcher.not_echoed(), 1u);
}

// Typed ahead of a busy guest, a byte waits in the FIFO: output meanwhile does not judge it.
TEST_F(EchoMatcherTest, AByteStillInTheFifoIsNotJudged) {
    matcher.entered('x', at(0));
    guest_writes("busy printing x", 50);
    EXPECT_TRUE(echoes.empty());
    EXPECT_EQ(matcher.unread(), 1u);
    matcher.left();
    guest_writes("x", 80);
    EXPECT_EQ(timed(), "x@80");
    EXPECT_EQ(matcher.not_echoed(), 0u);
}

TEST_F(EchoMatcherTest, ReadBytesAwaitingAnEchoAreBounded) {
    for (size_t i = 0; i < EchoMatcher::max_awaiting + 44; ++i) type("k", 0);
    EXPECT_EQ(matcher.awaiting(), EchoMatcher::max_awaiting);
    EXPECT_EQ(matcher.not_echoed(), 44u);
}

TEST_F(EchoMatcherTest, AReadOfNothingTheHostGaveChangesNothing) {
    matcher.left();
    guest_writes("a", 1);
    type("a", 2);
    guest_writes("a", 3);
    EXPECT_EQ(timed(), "a@1");
}

} // namespace
