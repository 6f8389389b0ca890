#include "vmm/console/console_writer.h"

#include <unistd.h>

#include <boost/asio/post.hpp>

namespace cocoon::vmm {
namespace {
constexpr size_t line_limit = 4096;  // a guest that never ends its line still gets seen
}

ConsoleWriter::ConsoleWriter(boost::asio::io_context& events, int fd, std::chrono::milliseconds pause)
    : events_(events), fd_(fd), pause_(pause), pause_timer_(events) {}

void ConsoleWriter::put(uint8_t byte) {
    std::lock_guard lock(mutex_);
    bool opened = line_.empty();
    line_.push_back(static_cast<char>(byte));
    if (byte == '\n' || line_.size() >= line_limit) flush_locked();
    else if (opened) boost::asio::post(events_, [this] { arm_pause(); });
}

// Armed anew by each line that opens: a line that ends within the pause is written by its
// newline, and the timer then writes a later line's start a little early, which is harmless.
void ConsoleWriter::arm_pause() {
    pause_timer_.expires_after(pause_);
    pause_timer_.async_wait([this](auto error) {
        if (!error) flush();
    });
}

void ConsoleWriter::flush() {
    std::lock_guard lock(mutex_);
    flush_locked();
}

void ConsoleWriter::flush_locked() {
    size_t done = 0;
    while (done < line_.size()) {
        ssize_t n = ::write(fd_, line_.data() + done, line_.size() - done);
        if (n <= 0) break;  // the output gone: the guest's text is dropped, the guest runs on
        done += static_cast<size_t>(n);
    }
    line_.clear();
}

} // namespace cocoon::vmm
