// What a process can learn about the system (sys::process_list, sys::system_info): the
// processes as `ps` shows them, and the figures `mem` and the utilization demo read.
// Shared by the kernel, which fills them, and the user runtime.
#pragma once
#include <stdint.h>

namespace cocoon::sys {

enum ProcessState : uint32_t {
    state_running = 0,   // on the CPU
    state_ready = 1,     // runnable, waiting for the CPU
    state_sleeping = 2,  // in sleep_ms
    state_waiting = 3,   // in wait, for a child
    state_disk = 4,      // blocked on a disk request
    state_input = 5,     // blocked reading the console
    state_zombie = 6,    // ended; its parent has not collected its status yet
};

inline const char* process_state_name(uint32_t state) {
    switch (state) {
    case state_running: return "running";
    case state_ready: return "ready";
    case state_sleeping: return "sleeping";
    case state_waiting: return "waiting";
    case state_disk: return "disk";
    case state_input: return "input";
    case state_zombie: return "zombie";
    default: return "?";
    }
}

struct ProcessInfo {
    int32_t pid;
    int32_t parent;           // 0: started by the kernel
    uint32_t state;           // ProcessState
    uint32_t reserved;
    char name[24];            // NUL-terminated
    uint64_t cpu_us;          // time on the CPU
    uint64_t pages;           // user pages mapped (resident or swapped out)
    uint64_t table_pages;     // page-table pages of its user half, the root included
};

// The scheduler the kernel command line chose (sched=).
enum Scheduler : uint32_t {
    scheduler_round_robin = 0,  // sched=rr: every runnable process in turn
    scheduler_waker = 1,        // sched=waker: a process woken by a device or the clock runs at once
};

inline const char* scheduler_name(uint32_t scheduler) {
    switch (scheduler) {
    case scheduler_round_robin: return "rr";
    case scheduler_waker: return "waker";
    default: return "";
    }
}

enum ConsoleMode : uint32_t {
    console_cooked = 0,
    console_raw = 1,
};

struct SystemInfo {
    uint64_t uptime_us;
    uint64_t idle_us;         // time the CPU had no process to run: busy = uptime - idle
    uint64_t frames_total, frames_free;
    uint64_t swap_slots_total, swap_slots_used;
    uint64_t input_dropped;   // console bytes dropped: the ends of lines longer than the line buffer
    uint32_t quantum_ms;
    uint32_t scheduler;       // Scheduler
};

} // namespace cocoon::sys
