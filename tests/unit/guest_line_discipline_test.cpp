// The console's line discipline on the host: what a reader gets, what the terminal
// sees echoed, and what happens when more comes than the buffer holds.
#include "kernel/tty/line_discipline.h"

#include <string>

#include <gtest/gtest.h>

using kernel::tty::LineDiscipline;
using kernel::tty::Mode;
using Event = LineDiscipline::Event;

namespace {

struct Screen : kernel::tty::Echo {
    std::string text;
    void write(const char* bytes, size_t length) override { text.append(bytes, length); }
};

struct Console {
    Screen screen;
    LineDiscipline line{screen};

    // Types `keys` while the buffer takes them; returns how many it took.
    size_t type(const std::string& keys) {
        size_t n = 0;
        for (; n < keys.size() && line.can_take(); ++n) line.receive(keys[n]);
        return n;
    }
    // What one read() of `size` bytes returns.
    std::string read(size_t size = 4096) {
        std::string out(size, '\0');
        out.resize(line.read(out.data(), size));
        return out;
    }
};

TEST(GuestLineDiscipline, ALineIsReadableOnlyOnceItEnds) {
    Console c;
    c.type("ls -l");
    EXPECT_FALSE(c.line.readable());
    EXPECT_EQ(c.line.receive('\r'), Event::readable);  // a terminal's Enter is a newline
    EXPECT_TRUE(c.line.readable());
    EXPECT_EQ(c.read(), "ls -l\n");
    EXPECT_FALSE(c.line.readable());
    EXPECT_EQ(c.screen.text, "ls -l\n");
}

TEST(GuestLineDiscipline, EachReadGetsOneLineOrWhatFitsOfIt) {
    Console c;
    c.type("first\nsecond\n");
    EXPECT_EQ(c.read(), "first\n");
    EXPECT_EQ(c.read(3), "sec");
    EXPECT_EQ(c.read(), "ond\n");
}

TEST(GuestLineDiscipline, BackspaceErasesACharacterOnTheScreenToo) {
    Console c;
    c.type("cay\x7f" "t\b\bat\n");
    EXPECT_EQ(c.read(), "cat\n");
    EXPECT_EQ(c.screen.text, "cay\b \bt\b \b\b \bat\n");
    c.screen.text.clear();
    c.type("\x7f\n");  // nothing to erase: nothing echoed but the newline
    EXPECT_EQ(c.read(), "\n");
    EXPECT_EQ(c.screen.text, "\n");
}

TEST(GuestLineDiscipline, BackspaceErasesAWholeUtf8Character) {
    Console c;
    c.type("caf\xc3\xa9\x7f" "e\n");
    EXPECT_EQ(c.read(), "cafe\n");
}

TEST(GuestLineDiscipline, CtrlUErasesTheLine) {
    Console c;
    c.type("rm -rf\x15" "ls\n");
    EXPECT_EQ(c.read(), "ls\n");
}

TEST(GuestLineDiscipline, CtrlDEndsALineWithoutNewlineAndOnAnEmptyLineTheInput) {
    Console c;
    EXPECT_EQ(c.type("abc\x04"), 4u);
    EXPECT_EQ(c.read(), "abc");
    EXPECT_FALSE(c.line.readable());  // the mark went with the line
    c.type("\x04");
    EXPECT_TRUE(c.line.readable());
    EXPECT_EQ(c.read(), "");  // end of input
    EXPECT_FALSE(c.line.readable());
    EXPECT_EQ(c.screen.text, "abc");
}

TEST(GuestLineDiscipline, ALineThatFillsTheReadExactlyTakesItsCtrlDMarkAlong) {
    Console c;
    c.type("abc\x04");
    EXPECT_EQ(c.read(3), "abc");
    EXPECT_FALSE(c.line.readable());
}

TEST(GuestLineDiscipline, CtrlCDiscardsEverythingTypedAheadAndSaysSo) {
    Console c;
    c.type("unread\nhalf a li");
    EXPECT_EQ(c.line.receive(0x03), Event::interrupt);
    EXPECT_FALSE(c.line.readable());
    EXPECT_NE(c.screen.text.find("half a li^C\n"), std::string::npos);
    c.type("next\n");
    EXPECT_EQ(c.read(), "next\n");
}

TEST(GuestLineDiscipline, RawModePassesEveryByteAtOnceWithoutEcho) {
    Console c;
    c.line.set_mode(Mode::raw);
    EXPECT_EQ(c.line.receive('q'), Event::readable);
    EXPECT_EQ(c.line.receive(0x03), Event::readable);  // Ctrl-C is a byte like any other
    c.type("\x7f\x04\r");
    EXPECT_EQ(c.read(), std::string("q\x03\x7f\x04\r"));
    EXPECT_EQ(c.screen.text, "");
}

TEST(GuestLineDiscipline, ALineHalfTypedGoesToARawReaderAsItStands) {
    Console c;
    c.type("hal");
    c.line.set_mode(Mode::raw);
    EXPECT_EQ(c.read(), "hal");
    c.line.set_mode(Mode::cooked);
    c.type("f\n");
    EXPECT_EQ(c.read(), "f\n");
}

// A line alone longer than the buffer is cut (its reader waits for its end, so holding
// bytes back would not help); the bytes past line_max are counted, and the newline
// still ends it.
TEST(GuestLineDiscipline, ALineTooLongIsCutAndTheDroppedBytesCounted) {
    Console c;
    std::string line(LineDiscipline::line_max + 500, 'x');
    EXPECT_EQ(c.type(line + "\n"), line.size() + 1);
    EXPECT_EQ(c.line.dropped(), 500u);
    EXPECT_EQ(c.read(), std::string(LineDiscipline::line_max, 'x') + "\n");
    c.type("after\n");
    EXPECT_EQ(c.read(), "after\n");
    EXPECT_EQ(c.line.dropped(), 500u);
}

// Lines nobody has read yet fill the buffer: it takes no more, so the rest waits in the
// device, and as a reader takes lines, it takes the rest; nothing is lost.
TEST(GuestLineDiscipline, TypingAheadWaitsForTheReaderAndLosesNothing) {
    Console c;
    std::string pasted;
    for (int i = 0; i < 1000; ++i) pasted += "line " + std::to_string(i) + " of the paste\n";
    std::string got;
    size_t typed = 0;
    while (typed < pasted.size()) {
        size_t took = c.type(pasted.substr(typed));
        typed += took;
        ASSERT_TRUE(took > 0 || c.line.readable());
        while (c.line.readable()) got += c.read(64);
    }
    EXPECT_EQ(got, pasted);
    EXPECT_EQ(c.line.dropped(), 0u);
}

TEST(GuestLineDiscipline, AFullBufferTakesNothingUntilRead) {
    Console c;
    std::string line(100, 'y');
    line += '\n';
    size_t took = 0;
    while (c.line.can_take() && took < 20 * line.size()) took += c.type(line);
    EXPECT_FALSE(c.line.can_take());
    EXPECT_LT(took, 20 * line.size());
    EXPECT_EQ(c.line.dropped(), 0u);
    EXPECT_EQ(c.read(), line);
    EXPECT_TRUE(c.line.can_take());
}

} // namespace
