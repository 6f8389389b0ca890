// System call numbers and error values shared by the kernel and the user runtime.
// Convention (as Linux x86-64): number in rax, arguments in rdi, rsi, rdx, r10, r8, r9,
// result in rax; negative results in [-4095, -1] are -errno.
#pragma once
#include <stdint.h>

namespace cocoon::sys {

enum Number : uint64_t {
    exit = 0,        // (int status) -> never returns
    write = 1,       // (int fd, const void* buf, size_t len) -> bytes; fd 1 and 2: console
    getpid = 2,      // () -> pid
    brk = 3,         // (void* new_end or 0) -> current end of heap
    sbrk = 4,        // (intptr_t increment) -> old end of heap
    yield = 5,       // () -> 0
    sleep_ms = 6,    // (uint64_t ms) -> 0, or -EINTR when Ctrl-C interrupted it (set_foreground)
    spawn = 7,       // (const char* name, const char* args or 0) -> pid; the child finds a copy of
                     // args ("" for 0) at args_address, the top of its stack
    wait = 8,        // (int pid or -1, int* status or 0, uint32_t* kill_reason or 0, flags) -> pid that ended; a child
                     // the kernel killed has status -1 and kill_reason its trace::KillReason (0 for one that
                     // exited); with wait_nohang, 0 when no child has ended yet
    uptime_ms = 9,   // () -> milliseconds since boot
    read = 10,       // (int fd, void* buf, size_t len) -> bytes; fd 0: console, blocking until a line (in raw
                     // mode: a byte) is there; 0 at the end of input (Ctrl-D on an empty line)
    disk_read = 11,  // (int disk, uint64_t sector, void* buf, size_t len) -> 0; len: whole sectors, <= 64 KiB
    disk_write = 12, // (int disk, uint64_t sector, const void* buf, size_t len) -> 0
    disk_flush = 13, // (int disk) -> 0 once what was written is on the host's disk
    disk_sectors = 14, // (int disk) -> its size in 512-byte sectors
    frames_free = 15,  // () -> free physical frames (for leak checks)
    kill = 16,       // (int pid) -> 0; the caller's child ends the next time it would return
                     // to user mode (waking from sleep or wait first); -ESRCH, -EPERM otherwise
    process_list = 17, // (ProcessInfo* out, size_t count) -> how many it filled (system_info.h)
    system_info = 18,  // (SystemInfo* out) -> 0: time, idle time, memory, console, scheduler
    set_foreground = 19, // (int pid or 0) -> 0; the caller controls the console from now on (-EPERM while
                     // another live process does): Ctrl-C kills pid, its child (-ESRCH, -EPERM otherwise),
                     // or with 0 interrupts the caller's blocking read, wait or sleep (-EINTR)
    set_quantum = 20,  // (uint64_t ms, 1..max_quantum_ms, or 0 to ask) -> the quantum before, in ms
    console_mode = 21, // (ConsoleMode) -> the mode before; cooked: lines, echo, editing, Ctrl-C and Ctrl-D;
                     // raw: each byte as it comes, none of those
    count
};

// wait's flags.
inline constexpr uint64_t wait_nohang = 1;  // return 0 instead of blocking

inline constexpr uint64_t max_quantum_ms = 1000;

// spawn's limits, the terminating NUL included: longer strings are EINVAL.
inline constexpr uint64_t max_name = 64;
inline constexpr uint64_t max_args = 256;
// Where a spawned program finds its arguments: the top max_args bytes of its stack.
inline constexpr uint64_t args_address = 0x00007ffffffff000 - max_args;

enum Errno : int64_t {
    eperm = 1,
    enoent = 2,
    esrch = 3,
    eintr = 4,
    eio = 5,
    echild = 10,
    eagain = 11,
    enomem = 12,
    efault = 14,
    einval = 22,
    erofs = 30,
    enosys = 38,
    e2big = 7,
    ebadf = 9,
};

} // namespace cocoon::sys
