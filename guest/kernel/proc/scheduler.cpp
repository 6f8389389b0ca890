// The scheduler. It runs on the boot stack as its own context (as in xv6): a process
// gives up the CPU by switching to it, and it picks the next runnable process
// round-robin; the timer tick ends a process's slice.
#include "cocoon/exit_status.h"
#include "cocoon/platform.h"
#include "cocoon/trace.h"
#include "kernel/arch/console.h"
#include "kernel/arch/cpu.h"
#include "kernel/arch/timer.h"
#include "kernel/arch/x86.h"
#include "kernel/kmem.h"
#include "kernel/proc/process_table.h"
#include "kernel/proc/round_robin.h"
#include "kernel/trace.h"

extern "C" void switch_context(uint64_t* save, uint64_t next);

namespace kernel::proc {
namespace {

using namespace cocoon::trace;
using shared::any_failed;
using shared::running;
using shared::table;

uint64_t scheduler_context = 0;
int last_slot = -1;
uint32_t last_pid = 0;
uint32_t last_reason = switch_first;
uint32_t quantum_ticks = 10;
uint32_t quantum_left = 0;
uint64_t quantum_ms = 10;
uint64_t slice_started_tsc = 0;

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
    int next = round_robin_next(last_slot, max_processes, [](int i) { return table[i].state == State::runnable; });
    if (next < 0) return nullptr;
    last_slot = next;
    return &table[next];
}

[[noreturn]] void power_off() {
    uint32_t status = any_failed ? cocoon::guest_status::some_failed : cocoon::guest_status::all_ok;
    kprintf("[kernel] all processes have exited%s; powering off\n", any_failed ? " (some failed)" : "");
    trace::flush();
    x86::outl(cocoon::platform::exit_port, status);
    x86::halt_forever();
}

} // namespace

void shared::set_quantum(uint32_t quantum) {
    quantum_ms = quantum ? quantum : 10;
    quantum_ticks = static_cast<uint32_t>(quantum_ms * timer::hz / 1000);
    if (quantum_ticks == 0) quantum_ticks = 1;
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
        if (p.state == State::sleeping && p.wake_at <= now) p.state = State::runnable;
    if (running) {
        ++running->ticks_used;
        // The slice is time on the CPU, read from the TSC: a tick that arrives late
        // (the nested runner delivers them only at the guest's exits) still ends a
        // slice that has run its length.
        bool ticks_done = quantum_left > 0 && --quantum_left == 0;
        if (ticks_done || timer::ms_since(slice_started_tsc) >= quantum_ms) yield_cpu(switch_quantum);
    }
}

void run_scheduler() {
    for (;;) {
        Process* next = pick_next();
        if (!next) {
            if (!anyone_alive()) power_off();
            asm volatile("sti; hlt; cli");  // idle until the next interrupt
            continue;
        }
        trace::switched(last_pid, static_cast<uint32_t>(next->pid), last_reason);
        last_reason = switch_first;
        running = next;
        next->state = State::running;
        ++next->scheduled;
        quantum_left = quantum_ticks;
        slice_started_tsc = x86::rdtsc();
        cpu::set_kernel_stack(reinterpret_cast<uint64_t>(next->kernel_stack + kernel_stack_size));
        load_cr3(*next);
        // Its x87 registers in, and out again (fnsave also resets them for the next).
        asm volatile("frstor %0" ::"m"(next->x87));
        switch_context(&scheduler_context, next->context);
        asm volatile("fnsave %0" : "=m"(next->x87));
        // Back here: `next` left the CPU.
        x86::write_cr3(kernel_root());
        running = nullptr;
        last_pid = static_cast<uint32_t>(next->pid);
        last_reason = next->leave_reason;
        shared::reap_if_dead(*next);
    }
}

} // namespace kernel::proc
