// The console's input: what the host types, or pipes in, on stdin goes to the UART's
// receive queue, read on the event thread as it comes. Only a terminal, a pipe or a
// socket is read: a file or /dev/null on stdin gives the guest no input.
#pragma once
#include <array>
#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "vmm/devices/uart.h"

namespace cocoon::vmm {

class ConsoleInput {
public:
    // Starts reading a duplicate of `fd` at once; the reads end at its end of file.
    ConsoleInput(boost::asio::io_context& events, int fd, Uart& uart);

private:
    void read();

    Uart& uart_;
    std::unique_ptr<boost::asio::posix::stream_descriptor> input_;  // null: no input
    std::array<uint8_t, 256> buffer_{};
};

} // namespace cocoon::vmm
