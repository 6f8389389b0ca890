#include "vmm/console/console_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "vmm/exit_status.h"

namespace cocoon::vmm {

ConsoleInput::ConsoleInput(boost::asio::io_context& events, int fd, Uart& uart, StopRun stop)
    : events_(events), fd_(fd), uart_(uart), stop_(std::move(stop)) {
    struct stat st {};
    if (fstat(fd, &st) != 0) return;
    bool pipe = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
    bool terminal = isatty(fd);
    if (!pipe && !terminal) return;
    int own = dup(fd);
    if (own < 0) return;
    fd_flags_ = fcntl(fd, F_GETFL);
    if (terminal) {
        terminal_.emplace(fd);
        escape_keys_.emplace();
        if (terminal_->raw())
            spdlog::info("the terminal is in raw mode: keys go to the guest, Ctrl-C too; Ctrl-A x ends cocoon, "
                         "Ctrl-A h lists the keys");
    }
    uart_.on_room([this] { boost::asio::post(events_, [this] { feed(); }); });
    input_ = std::make_unique<boost::asio::posix::stream_descriptor>(events, own);
    read();
}

// Asio made the file description non-blocking, and whoever gave cocoon its stdin (the
// shell, on a terminal) shares it. The terminal's mode goes back after this.
ConsoleInput::~ConsoleInput() {
    if (!input_) return;
    uart_.on_room(nullptr);
    input_.reset();
    if (fd_flags_ >= 0) fcntl(fd_, F_SETFL, fd_flags_);
}

void ConsoleInput::read() {
    input_->async_read_some(boost::asio::buffer(buffer_), [this](auto error, size_t n) {
        if (error) return;  // end of file, or closed: no more input
        pending_.clear();
        handed_ = 0;
        for (uint8_t byte : std::span(buffer_.data(), n))
            if (!take(byte)) return;
        feed();
    });
}

bool ConsoleInput::take(uint8_t byte) {
    if (!escape_keys_) {
        pending_.push_back(byte);
        return true;
    }
    EscapeKeys::Key key = escape_keys_->take(byte);
    switch (key.action) {
    case EscapeKeys::Action::to_guest: pending_.push_back(key.byte); break;
    case EscapeKeys::Action::held: break;
    case EscapeKeys::Action::quit: stop_(exit_status::console_quit, "ended from the console (Ctrl-A x)"); return false;
    case EscapeKeys::Action::help: show_help(); break;
    }
    return true;
}

// On stderr, as the log: should that fail, the guest runs on without it.
void ConsoleInput::show_help() {
    std::string help = escape_keys_help();
    [[maybe_unused]] ssize_t written = ::write(STDERR_FILENO, help.data(), help.size());
}

void ConsoleInput::feed() {
    handed_ += uart_.receive(std::span(pending_).subspan(handed_));
    if (handed_ == pending_.size()) read();
}

} // namespace cocoon::vmm
