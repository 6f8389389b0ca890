#include "vmm/console/raw_terminal.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace cocoon::vmm {
namespace {

// What the signal handlers work from: set before they are installed. They run on the
// main thread for SIGTSTP and SIGCONT (confined threads block both, vmm/sandbox/) and on
// any thread for an ending signal, so they call only async-signal-safe functions.
int terminal_fd = -1;
termios found_mode{}, raw_mode{};
volatile sig_atomic_t wanted = 0;  // a RawTerminal lives
volatile sig_atomic_t in_raw = 0;  // the terminal is in raw_mode now

// Signals that end a process by default and that cocoon does not handle otherwise
// (SIGINT and SIGTERM end the run with its summary; SIGUSR1 kicks a vCPU).
constexpr int ending_signals[] = {SIGHUP, SIGQUIT, SIGILL,  SIGTRAP, SIGABRT, SIGBUS, SIGFPE,
                                  SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGXCPU, SIGXFSZ, SIGSYS};
struct sigaction before[NSIG];  // the actions replaced, to put back
bool replaced[NSIG];

void put_back() {
    if (!in_raw) return;
    tcsetattr(terminal_fd, TCSANOW, &found_mode);
    in_raw = 0;
}

// A terminal that is not cocoon's controlling terminal has no foreground to be out of.
bool in_foreground() {
    pid_t group = tcgetpgrp(terminal_fd);
    return group < 0 || group == getpgrp();
}

void take_raw() {
    if (wanted && in_foreground() && tcsetattr(terminal_fd, TCSANOW, &raw_mode) == 0) in_raw = 1;
}

void on_stop(int) {
    int saved_errno = errno;
    put_back();
    kill(getpid(), SIGSTOP);  // stopped here until SIGCONT, whose handler takes raw mode again
    errno = saved_errno;
}

void on_continue(int) {
    int saved_errno = errno;
    take_raw();
    errno = saved_errno;
}

// The action is the default again (SA_RESETHAND): the signal raised anew is delivered
// as the handler returns and ends the process as it would have, a fault's included.
void on_ending_signal(int signal) {
    put_back();
    raise(signal);
}

// Only where the action is still the default: an ignored signal stays ignored, and a
// handler someone else installed (a sanitizer's report) stays theirs.
void replace(int signal, void (*handler)(int), int flags) {
    struct sigaction now {};
    if (sigaction(signal, nullptr, &now) != 0 || now.sa_handler != SIG_DFL) return;
    struct sigaction action {};
    action.sa_handler = handler;
    action.sa_flags = flags;
    sigemptyset(&action.sa_mask);
    if (sigaction(signal, &action, &before[signal]) == 0) replaced[signal] = true;
}

} // namespace

termios raw_input_mode(termios mode) {
    mode.c_iflag &= ~tcflag_t(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    mode.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    mode.c_cflag = (mode.c_cflag & ~tcflag_t(CSIZE | PARENB)) | CS8;
    mode.c_cc[VMIN] = 1;
    mode.c_cc[VTIME] = 0;
    return mode;
}

RawTerminal::RawTerminal(int fd) {
    if (!isatty(fd) || tcgetattr(fd, &found_mode) != 0) return;
    terminal_fd = fd;
    raw_mode = raw_input_mode(found_mode);
    for (int signal : ending_signals) replace(signal, on_ending_signal, SA_RESETHAND);
    replace(SIGTSTP, on_stop, SA_RESTART);
    replace(SIGCONT, on_continue, SA_RESTART);
    wanted = 1;
    take_raw();
}

RawTerminal::~RawTerminal() {
    if (!wanted) return;
    wanted = 0;
    put_back();
    for (int signal = 1; signal < NSIG; ++signal) {
        if (replaced[signal]) sigaction(signal, &before[signal], nullptr);
        replaced[signal] = false;
    }
}

bool RawTerminal::raw() const { return in_raw; }

} // namespace cocoon::vmm
