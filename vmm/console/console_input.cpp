#include "vmm/console/console_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

namespace cocoon::vmm {

ConsoleInput::ConsoleInput(boost::asio::io_context& events, int fd, Uart& uart)
    : events_(events), fd_(fd), uart_(uart) {
    struct stat st {};
    if (fstat(fd, &st) != 0) return;
    bool pipe = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
    if (!pipe && !isatty(fd)) return;
    int own = dup(fd);
    if (own < 0) return;
    fd_flags_ = fcntl(fd, F_GETFL);
    uart_.on_room([this] { boost::asio::post(events_, [this] { feed(); }); });
    input_ = std::make_unique<boost::asio::posix::stream_descriptor>(events, own);
    read();
}

// Asio made the file description non-blocking, and whoever gave cocoon its stdin (the
// shell, on a terminal) shares it.
ConsoleInput::~ConsoleInput() {
    if (!input_) return;
    uart_.on_room(nullptr);
    input_.reset();
    if (fd_flags_ >= 0) fcntl(fd_, F_SETFL, fd_flags_);
}

void ConsoleInput::read() {
    input_->async_read_some(boost::asio::buffer(buffer_), [this](auto error, size_t n) {
        if (error) return;  // end of file, or closed: no more input
        pending_.assign(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(n));
        handed_ = 0;
        feed();
    });
}

void ConsoleInput::feed() {
    handed_ += uart_.receive(std::span(pending_).subspan(handed_));
    if (handed_ == pending_.size()) read();
}

} // namespace cocoon::vmm
