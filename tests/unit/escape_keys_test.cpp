// The keys for cocoon on a terminal: Ctrl-A x ends, Ctrl-A Ctrl-A sends one Ctrl-A, any
// other key after Ctrl-A shows the help, and every other byte goes to the guest.
#include "vmm/console/escape_keys.h"

#include <string>

#include <gtest/gtest.h>

using cocoon::vmm::EscapeKeys;
using Action = EscapeKeys::Action;

namespace {

// What the guest gets from `typed`, and the actions for cocoon, in one string each.
struct Outcome {
    std::string guest, cocoon;
};

Outcome type(const std::string& typed) {
    EscapeKeys keys;
    Outcome out;
    for (char c : typed) {
        EscapeKeys::Key key = keys.take(static_cast<uint8_t>(c));
        switch (key.action) {
        case Action::to_guest: out.guest.push_back(static_cast<char>(key.byte)); break;
        case Action::held: out.cocoon += "held;"; break;
        case Action::quit: out.cocoon += "quit;"; break;
        case Action::help: out.cocoon += "help;"; break;
        }
    }
    return out;
}

TEST(EscapeKeys, EveryOtherByteGoesToTheGuest) {
    Outcome out = type("ls -l\r\x03\x04x\x7f");
    EXPECT_EQ(out.guest, "ls -l\r\x03\x04x\x7f");
    EXPECT_EQ(out.cocoon, "");
}

TEST(EscapeKeys, CtrlAXQuits) {
    Outcome out = type("ab\x01xcd");
    EXPECT_EQ(out.guest, "abcd");  // what follows is the caller's to drop: the run ends
    EXPECT_EQ(out.cocoon, "held;quit;");
}

TEST(EscapeKeys, CtrlATwiceSendsOneCtrlA) {
    Outcome out = type("\x01\x01\x01\x01x");
    EXPECT_EQ(out.guest, "\x01\x01x");
    EXPECT_EQ(out.cocoon, "held;held;");
}

TEST(EscapeKeys, HOrAnyOtherKeyAfterCtrlAShowsTheHelpAndIsNotSent) {
    Outcome out = type("\x01h\x01q\x01\x03z");
    EXPECT_EQ(out.guest, "z");
    EXPECT_EQ(out.cocoon, "held;help;held;help;held;help;");
}

TEST(EscapeKeys, TheHelpNamesEachKeyAndTheExitStatus) {
    std::string help = cocoon::vmm::escape_keys_help();
    for (const char* words : {"  x ", "exit status 131", "Ctrl-A  send one Ctrl-A", "  h "})
        EXPECT_NE(help.find(words), std::string::npos) << words << "\n" << help;
}

} // namespace
