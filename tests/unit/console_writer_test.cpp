// The console on the host: whole lines at once, and an open line once the guest pauses.
#include "vmm/console/console_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <string>

#include <gtest/gtest.h>

using namespace cocoon::vmm;

namespace {

struct ConsoleWriterTest : ::testing::Test {
    int fds[2] = {-1, -1};
    boost::asio::io_context events;
    std::unique_ptr<ConsoleWriter> console;

    void SetUp() override {
        ASSERT_EQ(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
        console = std::make_unique<ConsoleWriter>(events, fds[1], std::chrono::milliseconds(1));
    }
    void TearDown() override {
        console.reset();
        close(fds[0]);
        close(fds[1]);
    }
    void type(const std::string& text) {
        for (char c : text) console->put(static_cast<uint8_t>(c));
    }
    std::string written() {
        std::string text;
        char buffer[8192];
        for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<size_t>(n));
        return text;
    }
};

TEST_F(ConsoleWriterTest, AWholeLineGoesOutAtItsNewlineAndNotBefore) {
    type("hello");
    EXPECT_EQ(written(), "");
    type(" world\r\n");
    EXPECT_EQ(written(), "hello world\r\n");
}

// A shell's prompt has no newline: it goes out when the pause's timer fires.
TEST_F(ConsoleWriterTest, AnOpenLineGoesOutOnceTheGuestPauses) {
    type("/ # ");
    EXPECT_EQ(written(), "");
    events.run();  // the posted arming, then the timer
    EXPECT_EQ(written(), "/ # ");
    type("e");  // the echo of a key: a new open line, a new pause
    events.restart();
    events.run();
    EXPECT_EQ(written(), "e");
}

TEST_F(ConsoleWriterTest, ALineThatNeverEndsGoesOutEvery4096Bytes) {
    type(std::string(4096 + 10, 'x'));
    EXPECT_EQ(written(), std::string(4096, 'x'));
    console->flush();
    EXPECT_EQ(written(), std::string(10, 'x'));
}

} // namespace
