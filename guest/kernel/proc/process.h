// Processes: a fixed table, each with its own address space and kernel stack, and the
// scheduler that time-slices them on the timer tick.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "cocoon/system_info.h"
#include "kernel/arch/cpu.h"
#include "kernel/lib/result.h"
#include "kernel/mm/address_space.h"

namespace kernel::proc {

inline constexpr int max_processes = 64;
inline constexpr uint64_t kernel_stack_size = 16384;

// blocked: on a device (the disk); reading: on console input.
enum class State { unused, runnable, running, sleeping, waiting, blocked, reading, zombie };

// A process's x87 registers, as fnsave writes them: user code may use the x87, so it is
// part of what a switch saves and restores (the kernel itself never uses it).
struct X87State {
    uint8_t bytes[108];
};

struct Process {
    int pid = 0;
    State state = State::unused;
    char name[24] = {};
    int parent = 0;             // 0: started by the kernel
    mm::AddressSpace space;
    uint64_t heap_start = 0, brk = 0;
    uint64_t context = 0;       // saved kernel stack pointer while switched out
    uint64_t wake_at = 0;       // sleeping: the tick to wake at
    int wait_for = 0;           // waiting: the child pid, or -1 for any
    const void* channel = nullptr;  // blocked or reading: what it waits for (a device, a buffer)
    int exit_status = 0;
    uint32_t kill_reason = 0;
    uint32_t expected_kill = 0; // init=name!word: the kill it is there to show (trace::KillReason)
    uint32_t kill_pending = 0;  // a KillReason (its parent's kill, Ctrl-C): it ends on its way back to user mode
    bool interrupted = false;   // Ctrl-C for it: its read, wait or sleep (or its next) returns -EINTR
    uint32_t leave_reason = 0;  // why it last left the CPU (trace::SwitchReason)
    uint64_t cpu_tsc = 0;       // TSC cycles on the CPU, up to its last switch out
    uint64_t scheduled = 0, faults = 0;
    uint64_t clock_cursor = 0;           // where the swap clock's hand is in this space
    uint64_t pages_out = 0, pages_in = 0;
    bool fresh = true;          // never run: its PCID's TLB entries may be stale
    X87State x87 = {};
    uint8_t* kernel_stack = nullptr;
};

void init(const uint8_t* archive, uint64_t archive_size, uint32_t quantum_ms, cocoon::sys::Scheduler scheduler);
// A new process running program `name` from the archive; `args` is copied onto its stack.
ErrorOr<int> spawn(const char* name, int parent, const char* args = "");
// A process the kernel started is there to be killed with `reason`: that end is its
// success, any other its failure (for the power-off status).
void expect_kill(int pid, uint32_t reason);
// A program the kernel was asked to start could not be: the run fails.
void note_start_failed();
// The archive's program names, separated by ", ", into `out` (cut to `size`).
void list_programs(char* out, size_t size);
Process* current();
Process* find(int pid);
Process* slot(int index);  // 0 <= index < max_processes

// Give up the CPU (the caller set its state), saying why; returns when scheduled again.
void yield_cpu(uint32_t reason);
[[noreturn]] void exit_current(int status, uint32_t kill_reason);
// Blocks the running process (as `state`: blocked or reading) until wake_all(channel);
// the caller rechecks its condition.
void sleep_on(const void* channel, State state = State::blocked);
void wake_all(const void* channel);

// Who made a blocked process runnable again: sched=waker lets one woken by a device or
// the clock run at once.
enum class Waker { device_or_clock, process };
void make_runnable(Process& p, Waker waker);
// Ends `p` with `reason` the next time it would return to user mode, woken first if it
// sleeps, waits or reads (a disk request it waits for finishes first: its pages are pinned).
void kill(Process& p, uint32_t reason);
// Ctrl-C for a process with no foreground job: its read, wait or sleep ends with -EINTR,
// or if it is busy its next one, which would otherwise block (a prompt it is about to
// read at starts over).
void interrupt(Process& p);
// Whether `p` was interrupted since it last asked; a blocking call asks before it
// blocks and when it wakes.
bool take_interrupt(Process& p);

void on_tick();                  // from the timer interrupt
// On the way back to user mode: under sched=waker, the CPU goes to a process a device
// or the clock woke meanwhile.
void preempt_if_woken();
[[noreturn]] void run_scheduler();
// The time slice, in ms; set_quantum returns the one before.
uint32_t quantum_ms();
uint32_t set_quantum(uint32_t ms);
cocoon::sys::Scheduler scheduler();
// Time on the CPU, the running process's slice so far included; and the CPU's idle time.
uint64_t cpu_us(const Process& p);
uint64_t idle_us();

// A user range the kernel may touch: inside the user half, no wrap, every page mapped
// user (writable when `write`), demand pages supplied now. False: EFAULT.
bool user_range_ok(uint64_t address, uint64_t length, bool write);
// Handles a user page fault: true if the page was supplied.
bool handle_user_page_fault(cpu::TrapFrame& frame, uint64_t address);
[[noreturn]] void kill_current(const cpu::TrapFrame& frame, uint64_t address, uint32_t reason);
// On the way back to user mode: a process killed (by its parent, by Ctrl-C) ends here.
void end_if_killed();

} // namespace kernel::proc
