#include "vmm/console/console_input.h"

#include <sys/stat.h>
#include <unistd.h>

namespace cocoon::vmm {

ConsoleInput::ConsoleInput(boost::asio::io_context& events, int fd, Uart& uart) : uart_(uart) {
    struct stat st {};
    if (fstat(fd, &st) != 0) return;
    bool pipe = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
    if (!pipe && !isatty(fd)) return;
    int own = dup(fd);
    if (own < 0) return;
    input_ = std::make_unique<boost::asio::posix::stream_descriptor>(events, own);
    read();
}

void ConsoleInput::read() {
    input_->async_read_some(boost::asio::buffer(buffer_), [this](auto error, size_t n) {
        if (error) return;  // end of file, or closed: no more input
        uart_.receive(std::span(buffer_.data(), n));
        read();
    });
}

} // namespace cocoon::vmm
