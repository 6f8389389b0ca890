// The process table and each process's life after its creation: exit, orphans,
// reaping, and what its end means for the run (the power-off status).
#include "kernel/proc/process.h"

#include "cocoon/trace.h"
#include "kernel/arch/console.h"
#include "kernel/arch/x86.h"
#include "kernel/kmem.h"
#include "kernel/proc/paging.h"
#include "kernel/proc/process_table.h"
#include "kernel/trace.h"

namespace kernel::proc {

namespace shared {
Process table[max_processes];
Process* running = nullptr;
bool any_failed = false;
} // namespace shared

namespace {

using namespace cocoon::trace;
using shared::any_failed;
using shared::running;
using shared::table;

void wake_parent(const Process& child) {
    Process* parent = find(child.parent);
    if (parent && parent->state == State::waiting && (parent->wait_for == -1 || parent->wait_for == child.pid))
        make_runnable(*parent, Waker::process);
}

bool asleep(const Process& p) {
    return p.state == State::sleeping || p.state == State::waiting || p.state == State::reading;
}

void release(Process& p) {
    p.state = State::unused;
    p.pid = 0;
}

// A process's end against what it was there for: one started to show a kill succeeds by
// that kill alone; any other succeeds by exiting 0.
bool failed(const Process& p) {
    if (p.expected_kill) return p.kill_reason != p.expected_kill;
    return p.exit_status != 0 || p.kill_reason;
}

// A failure of a process the kernel started: the run's status, and why when a kill it
// was there to show did not come.
void count_failure(const Process& p) {
    any_failed = true;
    if (!p.expected_kill) return;
    if (p.kill_reason)
        kprintf("[kernel] %s (pid %d) was to be killed for %s, and was killed for %s\n", p.name, p.pid,
                cocoon::trace::kill_reason_text(p.expected_kill), cocoon::trace::kill_reason_text(p.kill_reason));
    else
        kprintf("[kernel] %s (pid %d) was to be killed for %s, and exited %d\n", p.name, p.pid,
                cocoon::trace::kill_reason_text(p.expected_kill), p.exit_status);
}

// The children of a process that ends become the kernel's, as init adopts orphans in
// Unix: one that has ended already is released now, the others when they end (else
// each would keep its table slot for good). Nobody will wait for their statuses now:
// those count for the power-off status.
void orphan_children(const Process& parent) {
    for (auto& child : table) {
        if (child.state == State::unused || child.parent != parent.pid) continue;
        child.parent = 0;
        if (child.state == State::zombie && !child.space.root()) {
            if (failed(child)) count_failure(child);
            release(child);
        }
    }
}

} // namespace

// After a process left the CPU for good: give back its memory, from the kernel's own
// address space (its page tables are about to be freed).
void shared::reap_if_dead(Process& p) {
    if (p.state != State::zombie || !p.space.root()) return;
    trace::exited(p.pid, p.name, p.space, p.exit_status, p.kill_reason);
    trace::flush();  // cocoon reads the tables for its maps before they go
    p.space.destroy();
    trace::frames(frames().total_count(), frames().free_count(), swap_slots_total(), swap_slots_used());
    if (p.parent == 0) release(p);
    else wake_parent(p);
}


void init(const uint8_t* archive_data, uint64_t size, uint32_t quantum, cocoon::sys::Scheduler scheduler) {
    shared::set_archive(archive_data, size);
    set_quantum(quantum);
    shared::set_scheduler(scheduler);
}

Process* current() { return running; }
Process* slot(int index) { return &table[index]; }

Process* find(int pid) {
    if (pid <= 0) return nullptr;
    for (auto& p : table)
        if (p.pid == pid && p.state != State::unused) return &p;
    return nullptr;
}

void expect_kill(int pid, uint32_t reason) {
    if (Process* p = find(pid)) p->expected_kill = reason;
}

void note_start_failed() { any_failed = true; }

void exit_current(int status, uint32_t kill_reason) {
    Process* p = running;
    p->exit_status = status;
    p->kill_reason = kill_reason;
    // The power-off status covers the programs the kernel started; a child's status
    // goes to its parent, through wait.
    if (p->parent == 0 && failed(*p)) count_failure(*p);
    orphan_children(*p);
    p->state = State::zombie;
    yield_cpu(switch_exit);
    x86::halt_forever();  // a zombie is never scheduled again
}

void sleep_on(const void* channel, State state) {
    Process* p = running;
    p->channel = channel;
    p->state = state;
    yield_cpu(switch_block);
    p->channel = nullptr;
}

void wake_all(const void* channel) {
    for (auto& p : table)
        if ((p.state == State::blocked || p.state == State::reading) && p.channel == channel)
            make_runnable(p, Waker::device_or_clock);
}

void kill(Process& p, uint32_t reason) {
    if (!p.kill_pending) p.kill_pending = reason;
    if (asleep(p)) make_runnable(p, Waker::process);
}

void interrupt(Process& p) {
    p.interrupted = true;
    if (asleep(p)) make_runnable(p, Waker::process);
}

bool take_interrupt(Process& p) {
    bool was = p.interrupted;
    p.interrupted = false;
    return was;
}

void end_if_killed() {
    if (running && running->kill_pending) exit_current(-1, running->kill_pending);
}

extern "C" void first_return_check() { end_if_killed(); }

} // namespace kernel::proc
