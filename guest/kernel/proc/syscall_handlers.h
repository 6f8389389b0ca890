// The system calls syscalls.cpp dispatches to other files: each returns its result or
// -errno. What proc/ shares about them; nothing outside proc/ includes it.
#pragma once
#include <stdint.h>

namespace kernel::proc::calls {

// console_calls.cpp: the console (fd 0, 1 and 2), its foreground job, its mode.
int64_t write(uint64_t fd, uint64_t buffer, uint64_t length);
int64_t read(uint64_t fd, uint64_t buffer, uint64_t length);
int64_t set_foreground(int64_t pid);
int64_t console_mode(uint64_t mode);

// status_calls.cpp: what ps, mem and the utilization demo read, and the quantum.
int64_t process_list(uint64_t buffer, uint64_t count);
int64_t system_info(uint64_t buffer);
int64_t set_quantum(uint64_t ms);

// syscalls.cpp: a pid from a system call. Pids are positive ints, and a value that is
// not one (2^32 + a child's pid, say) is 0, naming no process rather than wrapping onto
// a real one.
int pid_argument(int64_t pid);

} // namespace kernel::proc::calls
