// Raw mode on a pseudo-terminal: taken, and given back at the end, on an exception, on
// SIGTSTP (and taken again on SIGCONT), on a signal that ends the process and on a crash.
#include "vmm/console/raw_terminal.h"

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

using cocoon::vmm::raw_input_mode;
using cocoon::vmm::RawTerminal;

namespace {

bool same(const termios& a, const termios& b) {
    return a.c_iflag == b.c_iflag && a.c_oflag == b.c_oflag && a.c_cflag == b.c_cflag && a.c_lflag == b.c_lflag &&
           std::memcmp(a.c_cc, b.c_cc, sizeof a.c_cc) == 0;
}

bool is_raw(const termios& t) { return !(t.c_lflag & (ICANON | ECHO | ISIG)) && !(t.c_iflag & (ICRNL | IXON)); }

struct RawTerminalTest : ::testing::Test {
    int master = -1, slave = -1;
    termios found{};

    void SetUp() override {
        ASSERT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
        ASSERT_EQ(tcgetattr(slave, &found), 0);
        ASSERT_FALSE(is_raw(found));
    }
    void TearDown() override {
        close(master);
        close(slave);
    }
    termios now() const {
        termios t{};
        tcgetattr(slave, &t);
        return t;
    }
    // Waits up to a few seconds for the mode a child's signal handler sets.
    bool becomes(bool raw) const {
        for (int i = 0; i < 500; ++i) {
            if (is_raw(now()) == raw) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }
    // A child that takes raw mode on the terminal, says so on `ready`, then runs `body`.
    template <typename Body>
    pid_t child(Body body) {
        int ready[2];
        if (pipe(ready) != 0) return -1;
        pid_t pid = fork();
        if (pid == 0) {
            RawTerminal raw(slave);
            char byte = 'r';
            if (write(ready[1], &byte, 1) != 1) _exit(2);
            body();
            _exit(3);
        }
        char byte = 0;
        close(ready[1]);
        EXPECT_EQ(read(ready[0], &byte, 1), 1);
        close(ready[0]);
        return pid;
    }
    // The child ended of `signal`, the terminal as found.
    void expect_ended_by(pid_t pid, int signal) const {
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFSIGNALED(status)) << strsignal(signal) << ": status " << status;
        EXPECT_EQ(WTERMSIG(status), signal);
        EXPECT_TRUE(same(now(), found)) << strsignal(signal);
    }
};

void wait_for_signals() {
    for (;;) pause();
}

TEST(RawInputMode, KeysPassOneByOneUnechoedAndOutputIsAsItWas) {
    termios cooked{};
    cooked.c_iflag = ICRNL | IXON | BRKINT;
    cooked.c_oflag = OPOST | ONLCR;
    cooked.c_lflag = ICANON | ECHO | ECHOE | ISIG | IEXTEN;
    cooked.c_cflag = CS7 | PARENB | CREAD;
    termios raw = raw_input_mode(cooked);
    EXPECT_TRUE(is_raw(raw));
    EXPECT_FALSE(raw.c_lflag & (IEXTEN));
    EXPECT_FALSE(raw.c_iflag & BRKINT);
    EXPECT_EQ(raw.c_oflag, cooked.c_oflag);  // "\n" still starts a line on the screen
    EXPECT_EQ(raw.c_cflag & (CSIZE | PARENB), tcflag_t(CS8));
    EXPECT_TRUE(raw.c_cflag & CREAD);
    EXPECT_EQ(raw.c_cc[VMIN], 1);
    EXPECT_EQ(raw.c_cc[VTIME], 0);
}

TEST_F(RawTerminalTest, RawWhileItLivesAndAsFoundAfter) {
    {
        RawTerminal raw(slave);
        EXPECT_TRUE(raw.raw());
        EXPECT_TRUE(is_raw(now()));
        EXPECT_EQ(now().c_oflag, found.c_oflag);
    }
    EXPECT_TRUE(same(now(), found));
}

// Ctrl-C is a byte for the guest, a key is readable without Enter, and nothing echoes.
TEST_F(RawTerminalTest, CtrlCAndEachKeyArriveAsBytesUnechoed) {
    RawTerminal raw(slave);
    ASSERT_EQ(write(master, "\x03" "a", 2), 2);
    char got[2] = {};
    ASSERT_EQ(read(slave, got, 2), 2);
    EXPECT_EQ(got[0], '\x03');
    EXPECT_EQ(got[1], 'a');
    pollfd echo{master, POLLIN, 0};
    EXPECT_EQ(poll(&echo, 1, 50), 0);
}

TEST_F(RawTerminalTest, GivenBackWhenAnExceptionLeaves) {
    try {
        RawTerminal raw(slave);
        throw std::runtime_error("a set-up error after raw mode was taken");
    } catch (const std::runtime_error&) {
    }
    EXPECT_TRUE(same(now(), found));
}

TEST_F(RawTerminalTest, NotATerminalIsLeftAlone) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    RawTerminal raw(fds[0]);
    EXPECT_FALSE(raw.raw());
    close(fds[0]);
    close(fds[1]);
}

// Another process stops cocoon: the terminal is the shell's again while it is stopped.
TEST_F(RawTerminalTest, SigtstpGivesItBackAndSigcontTakesItAgain) {
    pid_t pid = child(wait_for_signals);
    ASSERT_GT(pid, 0);
    EXPECT_TRUE(is_raw(now()));
    kill(pid, SIGTSTP);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, WUNTRACED), pid);
    EXPECT_TRUE(WIFSTOPPED(status));
    EXPECT_TRUE(same(now(), found));
    kill(pid, SIGCONT);
    EXPECT_TRUE(becomes(true));
    kill(pid, SIGHUP);
    expect_ended_by(pid, SIGHUP);
}

// A signal that ends the process: the mode goes back, and the process ends of it.
TEST_F(RawTerminalTest, AnEndingSignalGivesItBackAndStillEnds) {
    for (int signal : {SIGHUP, SIGQUIT, SIGPIPE}) {
        pid_t pid = child(wait_for_signals);
        ASSERT_GT(pid, 0);
        EXPECT_TRUE(is_raw(now()));
        kill(pid, signal);
        expect_ended_by(pid, signal);
    }
}

TEST_F(RawTerminalTest, AbortGivesItBack) {
    pid_t pid = child([] { abort(); });
    ASSERT_GT(pid, 0);
    expect_ended_by(pid, SIGABRT);
}

#if !defined(__SANITIZE_ADDRESS__)  // ASan handles SIGSEGV itself, and RawTerminal leaves it so
TEST_F(RawTerminalTest, ACrashGivesItBack) {
    pid_t pid = child([] {
        void* page = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        *static_cast<volatile char*>(page) = 1;
    });
    ASSERT_GT(pid, 0);
    expect_ended_by(pid, SIGSEGV);
}
#endif

} // namespace
