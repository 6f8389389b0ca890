// The host's terminal in raw mode while cocoon reads it: no echo, no line editing, no
// signals from Ctrl-C or Ctrl-Z, so that every key reaches the guest as a byte. What the
// terminal does with output is left as it was ("\n" still starts a new line), so cocoon's
// log lines and the guest's text look as before.
//
// The mode it found is put back on every way out cocoon can see: the object's end (the
// run's end, a set-up error, an exception), SIGTSTP (it stops, and takes raw mode again
// on SIGCONT in the foreground), and a signal that would end the process (a crash, abort,
// SIGHUP, SIGQUIT, SIGPIPE...), which then ends it as it would have. SIGKILL cannot be
// seen: after one, `stty sane` mends the terminal.
#pragma once
#include <termios.h>

namespace cocoon::vmm {

// `mode` with input made raw: bytes pass one at a time (VMIN 1), 8 bits clean, with no
// echo, no CR-to-NL, no flow control (Ctrl-S), no signal keys; output flags untouched.
termios raw_input_mode(termios mode);

class RawTerminal {
public:
    // Takes raw mode on `fd` when it is a terminal of which cocoon is not a background
    // job (a background job is left alone, and takes raw mode when continued in the
    // foreground). One at a time in a process: the signal handlers restore this one.
    explicit RawTerminal(int fd);
    ~RawTerminal();
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

    bool raw() const;  // whether the terminal is in raw mode now
};

} // namespace cocoon::vmm
