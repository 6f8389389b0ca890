// Which of the guest's output is the echo of which byte typed.
//
// A line discipline echoes a byte as it reads it, so the echo of the oldest byte the guest
// has read and not yet answered is what the guest writes next. Output that is not that
// echo means the byte got none (raw mode, Ctrl-D, a backspace at the start of a line): it
// is counted apart and never timed, so that keys the guest does not echo cannot skew the
// figures; its late echo, should one come, is then output like any other. A byte still
// in the UART's receive FIFO is not judged: typing ahead of a busy guest is not a key
// left unanswered.
//
// The echo of a byte is the byte itself; for Enter (CR or LF) a newline, "\r\n" or "\n";
// for a backspace (BS or DEL) "\b \b", which erases a character; for a control character
// other than tab its caret form, "^C". The bytes after an echo's first are taken as part of
// it, so that keys read together before any is echoed (Linux's n_tty) still match one by
// one.
#pragma once
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>

#include "vmm/console/echo.h"

namespace cocoon::vmm {

class EchoMatcher {
public:
    // Bytes read and awaiting their echo, at most: past this many, the oldest got none.
    static constexpr size_t max_awaiting = 256;

    void entered(uint8_t byte, HostTime now);  // a byte entered the receive FIFO
    void left();                               // the guest took the oldest out of it
    // The guest wrote `byte`: the echo it begins, if it begins one.
    std::optional<Echo> sent(uint8_t byte, HostTime now);

    // Whether sent() has nothing to judge: no byte awaits its echo, none is being written.
    bool idle() const { return read_ == 0 && echo_rest_.empty(); }
    uint64_t not_echoed() const { return not_echoed_; }  // read, and answered otherwise
    size_t awaiting() const { return read_; }            // read, with no answer yet
    size_t unread() const { return typed_.size() - read_; }

private:
    struct Typed {
        uint8_t byte;
        HostTime handed;
    };
    void give_up_oldest();

    std::deque<Typed> typed_;  // in FIFO order: the first read_ the guest has read
    size_t read_ = 0;
    std::string_view echo_rest_;  // what is still to come of the echo being written
    uint64_t not_echoed_ = 0;
};

} // namespace cocoon::vmm
