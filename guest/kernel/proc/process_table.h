// What the files of proc/ share and nothing outside them sees: the process table,
// the running process, whether the run has failed so far, and the hand-offs between
// them. process.h is the interface; this is the inside.
#pragma once
#include <stdint.h>

#include "kernel/layout.h"
#include "kernel/proc/process.h"

namespace kernel::proc::shared {

extern Process table[max_processes];
extern Process* running;
extern bool any_failed;  // the power-off status: a process the kernel started ended badly

void set_archive(const uint8_t* archive, uint64_t size);  // exec.cpp
void set_scheduler(cocoon::sys::Scheduler scheduler);    // scheduler.cpp
// After a process left the CPU for good (process.cpp): its memory back, its slot
// released or its parent woken.
void reap_if_dead(Process& p);

inline uint64_t page_down(uint64_t a) { return a & ~(layout::page_size - 1); }
inline uint64_t page_up(uint64_t a) { return (a + layout::page_size - 1) & ~(layout::page_size - 1); }

} // namespace kernel::proc::shared
