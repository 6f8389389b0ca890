// The console's system calls: write on fd 1 and 2, read on fd 0 (tty/console.cpp), the
// foreground job and the mode.
#include "cocoon/syscalls.h"
#include "cocoon/system_info.h"
#include "kernel/arch/console.h"
#include "kernel/arch/cpu.h"
#include "kernel/lib/string.h"
#include "kernel/proc/process.h"
#include "kernel/proc/syscall_handlers.h"
#include "kernel/tty/console.h"

namespace kernel::proc::calls {
namespace {

namespace sys = cocoon::sys;

// At most this much per read or write (a short count, as Linux's MAX_RW_COUNT): the
// pages a call checks and supplies are bounded, whatever length the caller names.
constexpr uint64_t max_transfer = 1u << 20;

} // namespace

int64_t write(uint64_t fd, uint64_t buffer, uint64_t length) {
    if (fd != 1 && fd != 2) return -sys::ebadf;
    if (length > max_transfer) length = max_transfer;
    if (!user_range_ok(buffer, length, false)) return -sys::efault;
    char chunk[256];
    for (uint64_t done = 0; done < length;) {
        uint64_t n = length - done < sizeof chunk ? length - done : sizeof chunk;
        cpu::user_access_begin();
        memcpy(chunk, reinterpret_cast<const void*>(buffer + done), n);
        cpu::user_access_end();
        console_write(chunk, n);
        done += n;
    }
    return static_cast<int64_t>(length);
}

// The buffer is checked before the wait, so a bad one is -EFAULT at once, and again
// after it: its pages may have gone to swap meanwhile, and while they come back (the
// caller sleeps) another reader may take the line, so then the wait starts over.
int64_t read(uint64_t fd, uint64_t buffer, uint64_t length) {
    if (fd != 0) return -sys::ebadf;
    if (length > max_transfer) length = max_transfer;
    if (!user_range_ok(buffer, length, true)) return -sys::efault;
    if (length == 0) return 0;
    char line[tty::LineDiscipline::capacity];  // a read gets one line at most
    uint64_t n = length < sizeof line ? length : sizeof line;
    do {
        if (int64_t waited = tty::wait_for_input(); waited < 0) return waited;
        if (!user_range_ok(buffer, n, true)) return -sys::efault;
    } while (!tty::input_ready());
    n = tty::read_input(line, n);
    cpu::user_access_begin();
    memcpy(reinterpret_cast<void*>(buffer), line, n);
    cpu::user_access_end();
    return static_cast<int64_t>(n);
}

int64_t set_foreground(int64_t pid) {
    if (pid != 0 && pid_argument(pid) == 0) return -sys::esrch;
    return tty::set_foreground(pid_argument(pid));
}

int64_t console_mode(uint64_t mode) {
    if (mode != sys::console_cooked && mode != sys::console_raw) return -sys::einval;
    tty::Mode before = tty::set_mode(mode == sys::console_raw ? tty::Mode::raw : tty::Mode::cooked);
    return before == tty::Mode::raw ? sys::console_raw : sys::console_cooked;
}

} // namespace kernel::proc::calls
