// The guest's console on the host: what the UART sends goes to a file descriptor
// (stdout) a line at a time, one write(2) per line, so that cocoon's log lines on the
// terminal never cut into one; and a line still open when the guest pauses for `pause`
// goes out as it is, so that a shell's prompt and the echo of each key typed show at once.
#pragma once
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace cocoon::vmm {

class ConsoleWriter {
public:
    static constexpr std::chrono::milliseconds default_pause{10};

    ConsoleWriter(boost::asio::io_context& events, int fd, std::chrono::milliseconds pause = default_pause);

    void put(uint8_t byte);  // from any thread; the pause is timed on `events`
    void flush();            // what is pending, now

private:
    void flush_locked();
    void arm_pause();  // on the event thread

    boost::asio::io_context& events_;
    int fd_;
    std::chrono::milliseconds pause_;
    boost::asio::steady_timer pause_timer_;
    std::mutex mutex_;
    std::string line_;
};

} // namespace cocoon::vmm
