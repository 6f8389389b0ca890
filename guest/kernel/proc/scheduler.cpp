// The scheduler. It runs on the boot stack as its own context (as in xv6): a process
// gives up the CPU by switching to it, and it picks the next runnable process
// round-robin (under sched=waker, one a device or the clock woke first); the timer tick
// ends a process's slice. It keeps the time each process ran and the time it idled.
#include "cocoon/exit_status.h"
#include "cocoon/platform.h"
#include "cocoon/trace.h"
#include "kernel/arch/console.h"
#include "kernel/arch/cpu.h"
#include "kernel/arch/timer.h"
#include "kernel/arch/x86.h"
#include "kernel/kmem.h"
#include "kernel/proc/process_table.h"
#include "kernel/proc/run_order.h"
#include "kernel/trace.h"

extern "C" void switch_context(uint64_t* save, uint64_t next);

namespace kernel::proc {
namespace {

using namespace cocoon::trace;
using shared::any_failed;
using shared::running;
using shared::table;

uint64_t scheduler_context = 0;
RunOrder<max_processes> run_order;
cocoon::sys::Scheduler policy = cocoon::sys::scheduler_round_robin;
bool preempt_wanted = false;  // sched=waker: a process was woken while another ran
uint32_t last_pid = 0;
uint32_t last_reason = switch_first;
uint32_t quantum_ticks = 10;
uint32_t quantum_left = 0;
uint32_t quantum = 10;  // ms
uint64_t slice_started_tsc = 0;
uint64_t idle_tsc = 0;

void load_cr3(Process& p) {
    uint64_t cr3 = p.space.root();
    if (cpu::features().pcid && (x86::read_cr4() & (1ull << 17))) {
        // The PCID is the table slot + 1: unique among live processes (pid & 0xfff was
        // not: pid 4097 ran on pid 1's TLB entries), and a slot's next process is fresh.
        cr3 |= static_cast<uint64_t>(&p - table) + 1;
        if (!p.fresh) cr3 |= 1ull << 63;  // keep this PCID's TLB entries
    }
    p.fresh = false;
    x86::write_cr3(cr3);
}

bool anyone_alive() {
    for (auto& p : table)
        if (p.state != State::unused && p.state != State::zombie) return true;
    return false;
}

Process* pick_next() {
    int next = run_order.next([](int i) { return table[i].state == State::runnable; });
    return next < 0 ? nullptr : &table[next];
}

void idle() {
    uint64_t start = x86::rdtsc();
    asm volatile("sti; hlt; cli");  // until the next interrupt
    idle_tsc += x86::rdtsc() - start;
}

[[noreturn]] void power_off() {
    uint32_t status = any_failed ? cocoon::guest_status::some_failed : cocoon::guest_status::all_ok;
    kprintf("[kernel] all processes have exited%s; powering off\n", any_failed ? " (some failed)" : "");
    trace::flush();
    x86::outl(cocoon::platform::exit_port, status);
    x86::halt_forever();
}

} // namespace

void shared::set_scheduler(cocoon::sys::Scheduler scheduler) { policy = scheduler; }

uint32_t quantum_ms() { return quantum; }

// Takes effect from the next slice.
uint32_t set_quantum(uint32_t ms) {
    uint32_t before = quantum;
    quantum = ms;
    quantum_ticks = static_cast<uint32_t>(uint64_t{ms} * timer::hz / 1000);
    if (quantum_ticks == 0) quantum_ticks = 1;
    return before;
}

cocoon::sys::Scheduler scheduler() { return policy; }

uint64_t cpu_us(const Process& p) {
    uint64_t tsc = p.cpu_tsc + (&p == running ? x86::rdtsc() - slice_started_tsc : 0);
    return timer::tsc_to_us(tsc);
}

uint64_t idle_us() { return timer::tsc_to_us(idle_tsc); }

void make_runnable(Process& p, Waker waker) {
    p.state = State::runnable;
    if (policy != cocoon::sys::scheduler_waker || waker != Waker::device_or_clock) return;
    run_order.put_first(static_cast<int>(&p - table));
    if (running && running != &p) preempt_wanted = true;
}

void preempt_if_woken() {
    if (running && preempt_wanted) yield_cpu(switch_preempted);
}

void yield_cpu(uint32_t reason) {
    Process* p = running;
    p->leave_reason = reason;
    if (p->state == State::running) p->state = State::runnable;
    switch_context(&p->context, scheduler_context);
}

void on_tick() {
    timer::tick();
    uint64_t now = timer::ticks();
    for (auto& p : table)
        if (p.state == State::sleeping && p.wake_at <= now) make_runnable(p, Waker::device_or_clock);
    if (running) {
        // The slice is time on the CPU, read from the TSC: a tick that arrives late
        // (the nested runner delivers them only at the guest's exits) still ends a
        // slice that has run its length.
        bool ticks_done = quantum_left > 0 && --quantum_left == 0;
        if (ticks_done || timer::ms_since(slice_started_tsc) >= quantum) yield_cpu(switch_quantum);
    }
}

void run_scheduler() {
    for (;;) {
        Process* next = pick_next();
        if (!next) {
            if (!anyone_alive()) power_off();
            if (last_pid) {  // the CPU goes idle: a switch to pid 0, so cocoon counts the time as no process's
                trace::switched(last_pid, 0, last_reason);
                last_pid = 0;
                last_reason = switch_first;
            }
            idle();
            continue;
        }
        trace::switched(last_pid, static_cast<uint32_t>(next->pid), last_reason);
        last_reason = switch_first;
        running = next;
        next->state = State::running;
        ++next->scheduled;
        preempt_wanted = false;
        quantum_left = quantum_ticks;
        slice_started_tsc = x86::rdtsc();
        cpu::set_kernel_stack(reinterpret_cast<uint64_t>(next->kernel_stack + kernel_stack_size));
        load_cr3(*next);
        // Its x87 registers in, and out again (fnsave also resets them for the next).
        asm volatile("frstor %0" ::"m"(next->x87));
        switch_context(&scheduler_context, next->context);
        asm volatile("fnsave %0" : "=m"(next->x87));
        // Back here: `next` left the CPU.
        next->cpu_tsc += x86::rdtsc() - slice_started_tsc;
        x86::write_cr3(kernel_root());
        running = nullptr;
        last_pid = static_cast<uint32_t>(next->pid);
        last_reason = next->leave_reason;
        shared::reap_if_dead(*next);
    }
}

} // namespace kernel::proc
