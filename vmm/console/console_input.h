// The console's input: what the host types, or pipes in, on stdin goes to the UART's
// receive FIFO, read on the event thread as it comes. Only a terminal, a pipe or a
// socket is read: a file or /dev/null on stdin gives the guest no input.
//
// A terminal is put in raw mode for as long as this lives (RawTerminal), so that every
// key, Ctrl-C included, reaches the guest as a byte, and Ctrl-A then a key speaks to
// cocoon (EscapeKeys): Ctrl-A x ends the run. A pipe's bytes pass as they are.
//
// The FIFO holds 16 bytes. What it has no room for waits here, and stdin is not read
// again until the guest has taken it all: a fast pipe loses nothing, and what cocoon
// holds stays one read's worth (the pipe or the terminal keeps the rest).
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "vmm/console/escape_keys.h"
#include "vmm/console/raw_terminal.h"
#include "vmm/devices/uart.h"
#include "vmm/stop_run.h"

namespace cocoon::vmm {

class ConsoleInput {
public:
    // Starts reading a duplicate of `fd` at once; the reads end at its end of file, or
    // when Ctrl-A x calls `stop`.
    ConsoleInput(boost::asio::io_context& events, int fd, Uart& uart, StopRun stop);
    ~ConsoleInput();
    ConsoleInput(const ConsoleInput&) = delete;
    ConsoleInput& operator=(const ConsoleInput&) = delete;

private:
    void read();
    bool take(uint8_t byte);  // a byte read: for the guest, or a key for cocoon; false: the run ends
    void show_help();
    void feed();              // hands the UART what it has room for; reads on once all is handed

    boost::asio::io_context& events_;
    int fd_;
    int fd_flags_ = -1;  // the file description's flags as found, put back at the end
    Uart& uart_;
    StopRun stop_;
    std::optional<RawTerminal> terminal_;
    std::optional<EscapeKeys> escape_keys_;  // from a terminal only
    std::unique_ptr<boost::asio::posix::stream_descriptor> input_;  // null: no input
    std::array<uint8_t, 256> buffer_{};
    std::vector<uint8_t> pending_;  // read, for the guest
    size_t handed_ = 0;             // how much of pending_ the UART has taken
};

} // namespace cocoon::vmm
