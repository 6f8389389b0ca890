// The console's input: bytes on a pipe reach the UART's receive FIFO, a paste larger than
// it whole as the guest makes room; a file gives none; stdin's flags are put back; a
// terminal is raw while it is read, and Ctrl-A x on it ends the run.
#include "vmm/console/console_input.h"

#include <fcntl.h>
#include <pty.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include <gtest/gtest.h>

using namespace cocoon::vmm;

namespace {

struct NoIrq : IrqLine {
    void raise() override {}
};

struct ConsoleInputTest : ::testing::Test {
    boost::asio::io_context events;
    NoIrq irq;
    Uart uart{[](uint8_t) {}, irq};
    StopRun no_stop = [](int, std::string) { FAIL() << "the run was stopped"; };

    // What the guest reads from the UART's receive buffer until it is empty.
    std::string received() {
        std::string text;
        auto get = [&](uint64_t reg) {
            uint8_t value = 0;
            uart.read(reg, std::span(&value, 1));
            return value;
        };
        while (get(5) & 1) text.push_back(static_cast<char>(get(0)));  // LSR data ready, RBR
        return text;
    }
};

TEST_F(ConsoleInputTest, WhatArrivesOnAPipeReachesTheUart) {
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
    ConsoleInput input(events, fds[0], uart, no_stop);
    close(fds[0]);  // the input reads its own duplicate
    ASSERT_EQ(write(fds[1], "ls\n", 3), 3);
    close(fds[1]);
    events.run();  // until the end of file ends the reads
    EXPECT_EQ(received(), "ls\n");
}

TEST_F(ConsoleInputTest, APasteLargerThanTheFifoArrivesWholeAsTheGuestReads) {
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
    std::string paste;
    for (int i = 0; paste.size() < 20000; ++i) paste += "line " + std::to_string(i) + "\n";
    ASSERT_EQ(write(fds[1], paste.data(), paste.size()), static_cast<ssize_t>(paste.size()));
    close(fds[1]);
    ConsoleInput input(events, fds[0], uart, no_stop);
    std::string arrived;
    for (int rounds = 0; arrived.size() < paste.size() && rounds < 100000; ++rounds) {
        events.poll();
        events.restart();
        std::string now = received();
        ASSERT_LE(now.size(), Uart::fifo_size);
        arrived += now;
    }
    EXPECT_EQ(arrived, paste);
    close(fds[0]);
}

TEST_F(ConsoleInputTest, StdinsFlagsArePutBack) {
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
    int before = fcntl(fds[0], F_GETFL);
    {
        ConsoleInput input(events, fds[0], uart, no_stop);
        events.poll();  // Asio makes its descriptor non-blocking: the same file description
    }
    EXPECT_EQ(fcntl(fds[0], F_GETFL), before);
    close(fds[0]);
    close(fds[1]);
}

TEST_F(ConsoleInputTest, ATerminalIsRawWhileReadAndCtrlAXEndsTheRun) {
    int master = -1, slave = -1;
    ASSERT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
    termios found{};
    ASSERT_EQ(tcgetattr(slave, &found), 0);
    int status = -1;
    std::string reason;
    {
        ConsoleInput input(events, slave, uart, [&](int s, std::string r) { status = s, reason = std::move(r); });
        termios now{};
        tcgetattr(slave, &now);
        EXPECT_FALSE(now.c_lflag & (ICANON | ECHO | ISIG));
        ASSERT_EQ(write(master, "ab\x01\x01" "c", 5), 5);
        events.run_one();
        EXPECT_EQ(received(), "ab\x01" "c");
        ASSERT_EQ(write(master, "\x01x" "zz", 4), 4);
        events.run();  // until Ctrl-A x: nothing is read after it
    }
    EXPECT_EQ(received(), "");
    EXPECT_EQ(status, 131);
    EXPECT_EQ(reason, "ended from the console (Ctrl-A x)");
    termios after{};
    tcgetattr(slave, &after);
    EXPECT_EQ(after.c_lflag, found.c_lflag);
    EXPECT_EQ(after.c_iflag, found.c_iflag);
    close(master);
    close(slave);
}

TEST_F(ConsoleInputTest, AFileGivesNoInput) {
    FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    std::fputs("not for the guest", file);
    std::fflush(file);
    std::rewind(file);
    ConsoleInput input(events, fileno(file), uart, no_stop);
    EXPECT_EQ(events.run(), 0u);  // nothing was waiting to be read
    EXPECT_EQ(received(), "");
    std::fclose(file);
}

} // namespace
