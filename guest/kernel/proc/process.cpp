// The process table, program loading, and the scheduler. The scheduler runs on the
// boot stack as its own context (as in xv6): a process gives up the CPU by switching
// to it, and it picks the next runnable process round-robin.
#include "kernel/proc/process.h"

#include "cocoon/exit_status.h"
#include "cocoon/page_table.h"
#include "cocoon/platform.h"
#include "cocoon/syscalls.h"
#include "kernel/arch/console.h"
#include "kernel/arch/timer.h"
#include "kernel/arch/x86.h"
#include "kernel/kmem.h"
#include "kernel/layout.h"
#include "kernel/lib/string.h"
#include "kernel/mm/fault_policy.h"
#include "kernel/mm/user_range.h"
#include "kernel/proc/elf_image.h"
#include "kernel/proc/paging.h"
#include "kernel/proc/round_robin.h"
#include "kernel/proc/ustar.h"
#include "kernel/trace.h"

extern "C" void switch_context(uint64_t* save, uint64_t next);
extern "C" void first_return();

namespace kernel::proc {
namespace {

using namespace cocoon::trace;
namespace pte = mm::pte;
namespace fault_bits = cocoon::fault_bits;

Process table[max_processes];
alignas(16) uint8_t kernel_stacks[max_processes][kernel_stack_size];
Process* running = nullptr;
uint64_t scheduler_context = 0;
int next_pid = 1;
int last_slot = -1;
uint32_t last_pid = 0;
uint32_t last_reason = switch_first;
uint32_t quantum_ticks = 10;
uint32_t quantum_left = 0;
uint64_t quantum_ms = 10;
uint64_t slice_started_tsc = 0;
bool any_failed = false;
const uint8_t* archive = nullptr;
uint64_t archive_size = 0;

uint64_t page_down(uint64_t a) { return a & ~(layout::page_size - 1); }
uint64_t page_up(uint64_t a) { return (a + layout::page_size - 1) & ~(layout::page_size - 1); }

// Maps one segment page by page: code read-only + executable, everything else NX. The
// ELF reader made sure that no other segment touches its pages.
ErrorOr<void> load_segment(mm::AddressSpace& space, const Segment& s) {
    uint64_t flags = pte::user | (s.writable ? pte::writable : 0) | (s.executable ? 0 : pte::no_execute);
    for (uint64_t page = page_down(s.vaddr); page < s.vaddr + s.memsz; page += layout::page_size) {
        uint64_t frame = TRY(frames().allocate());
        auto* bytes = static_cast<uint8_t*>(phys_to_virt(frame));
        // The part of the file that lands in this page.
        uint64_t file_end = s.vaddr + s.filesz;
        for (uint64_t a = page < s.vaddr ? s.vaddr : page; a < page + layout::page_size && a < file_end; ++a)
            bytes[a - page] = s.data[a - s.vaddr];
        auto mapped = space.map(page, frame, flags);
        if (!mapped.ok()) {
            frames().free(frame);
            return mapped;
        }
    }
    return {};
}

// Whether a program needing `pages` (and their tables) can have them, from free frames
// or by swapping others out: asked before any frame is spent, so that a huge bss is
// refused at once rather than after zeroing all of RAM.
bool could_fit(uint64_t pages) {
    uint64_t tables = 3 + pages / 512 + 1;  // the first walk down, then a leaf table per 2 MiB
    return pages + tables <= frames().free_count() + (swap_slots_total() - swap_slots_used());
}

// The spawn arguments at the top of the new stack (its first page, mapped now), where
// the program looks for them.
ErrorOr<void> place_args(mm::AddressSpace& space, const char* args) {
    static_assert(cocoon::sys::args_address == layout::user_stack_top - cocoon::sys::max_args);
    uint64_t length = strlen(args) + 1;
    if (length > cocoon::sys::max_args) return Error{cocoon::sys::einval};
    uint64_t page = layout::user_stack_top - layout::page_size;
    uint64_t frame = TRY(frames().allocate());
    auto mapped = space.map(page, frame, pte::user | pte::writable | pte::no_execute);
    if (!mapped.ok()) {
        frames().free(frame);
        return mapped;
    }
    memcpy(static_cast<uint8_t*>(phys_to_virt(frame)) + (cocoon::sys::args_address - page), args, length);
    return {};
}

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

void wake_parent(const Process& child) {
    Process* parent = find(child.parent);
    if (parent && parent->state == State::waiting && (parent->wait_for == -1 || parent->wait_for == child.pid))
        parent->state = State::runnable;
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

// After a process left the CPU for good: give back its memory, from the kernel's own
// address space (its page tables are about to be freed).
void reap_if_dead(Process& p) {
    if (p.state != State::zombie || !p.space.root()) return;
    trace::exited(p.pid, p.name, p.space, p.exit_status, p.kill_reason);
    trace::flush();  // cocoon reads the tables for its maps before they go
    p.space.destroy();
    trace::frames(frames().total_count(), frames().free_count(), swap_slots_total(), swap_slots_used());
    if (p.parent == 0) release(p);
    else wake_parent(p);
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

void init(const uint8_t* archive_data, uint64_t size, uint32_t quantum) {
    archive = archive_data;
    archive_size = size;
    quantum_ms = quantum ? quantum : 10;
    quantum_ticks = static_cast<uint32_t>(quantum_ms * timer::hz / 1000);
    if (quantum_ticks == 0) quantum_ticks = 1;
}

Process* current() { return running; }
Process* slot(int index) { return &table[index]; }

Process* find(int pid) {
    if (pid <= 0) return nullptr;
    for (auto& p : table)
        if (p.pid == pid && p.state != State::unused) return &p;
    return nullptr;
}

ErrorOr<int> spawn(const char* name, int parent, const char* args) {
    ArchiveFile file = ustar_find(archive, archive_size, name);
    if (!file.data) return Error{cocoon::sys::enoent};
    ElfImage image = TRY(parse_elf(file.data, file.size));
    Process* slot = nullptr;
    for (auto& p : table)
        if (p.state == State::unused) {
            slot = &p;
            break;
        }
    if (!slot) return Error{cocoon::sys::eagain};
    if (!could_fit(image.pages + 1)) return Error{cocoon::sys::enomem};  // + the arguments' page

    mm::AddressSpace space = TRY(mm::AddressSpace::create(frames(), direct_map(), kernel_root(), swap_space()));
    for (int i = 0; i < image.count; ++i) {
        auto loaded = load_segment(space, image.segments[i]);
        if (!loaded.ok()) {
            space.destroy();
            return Error{loaded.error()};
        }
    }
    auto placed = place_args(space, args);
    if (!placed.ok()) {
        space.destroy();
        return Error{placed.error()};
    }
    Process& p = *slot;
    p = Process{};
    p.pid = next_pid++;
    p.parent = parent;
    for (size_t i = 0; i + 1 < sizeof p.name && name[i]; ++i) p.name[i] = name[i];
    p.space = space;
    p.x87.bytes[0] = 0x7f, p.x87.bytes[1] = 0x03;  // what fninit leaves: control word 0x37f,
    p.x87.bytes[8] = 0xff, p.x87.bytes[9] = 0xff;  // every register empty (tag word 0xffff)
    p.heap_start = p.brk = page_up(image.end);
    p.kernel_stack = kernel_stacks[slot - table];

    // The first switch to it "returns" into first_return with this frame: user mode at
    // the entry, on the stack below its arguments, interrupts on.
    uint64_t top = reinterpret_cast<uint64_t>(p.kernel_stack + kernel_stack_size);
    static_assert(sizeof(cpu::TrapFrame) % 16 == 0, "first_return calls C with the frame on top of the stack");
    auto* frame = reinterpret_cast<cpu::TrapFrame*>(top - sizeof(cpu::TrapFrame));
    *frame = cpu::TrapFrame{};
    frame->rip = image.entry;
    frame->cs = cpu::user_cs;
    frame->rflags = 0x202;
    frame->rsp = cocoon::sys::args_address;
    frame->ss = cpu::user_ds;
    auto* switch_frame = reinterpret_cast<uint64_t*>(frame) - 7;
    for (int i = 0; i < 6; ++i) switch_frame[i] = 0;  // r15 r14 r13 r12 rbx rbp
    switch_frame[6] = reinterpret_cast<uint64_t>(&first_return);
    p.context = reinterpret_cast<uint64_t>(switch_frame);
    p.state = State::runnable;
    trace::spawned(p.pid, p.name, p.space, parent);
    return p.pid;
}

void expect_kill(int pid, uint32_t reason) {
    if (Process* p = find(pid)) p->expected_kill = reason;
}

void note_start_failed() { any_failed = true; }

void list_programs(char* out, size_t size) {
    size_t at = 0;
    ustar_for_each(archive, archive_size, [&](const char* name) {
        if (name[0] == '.' && name[1] == '/') name += 2;
        for (const char* part = at ? ", " : ""; *part && at + 1 < size; ++part) out[at++] = *part;
        for (; *name && at + 1 < size; ++name) out[at++] = *name;
    });
    if (size) out[at < size ? at : size - 1] = 0;
}

void yield_cpu(uint32_t reason) {
    Process* p = running;
    p->leave_reason = reason;
    if (p->state == State::running) p->state = State::runnable;
    switch_context(&p->context, scheduler_context);
}

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

void sleep_on(const void* channel) {
    Process* p = running;
    p->channel = channel;
    p->state = State::blocked;
    yield_cpu(switch_block);
    p->channel = nullptr;
}

void wake_all(const void* channel) {
    for (auto& p : table)
        if (p.state == State::blocked && p.channel == channel) p.state = State::runnable;
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
        reap_if_dead(*next);
    }
}

namespace {

// Every page of the range present (and writable for a write), checked without
// supplying anything: what the kernel's copy is about to rely on.
bool range_present(mm::AddressSpace& space, uint64_t address, uint64_t length, bool write) {
    for (uint64_t page = page_down(address); page < address + length; page += layout::page_size) {
        uint64_t* e = space.leaf(page);
        if (!e || !(*e & pte::present) || (write && !(*e & pte::writable))) return false;
    }
    return true;
}

} // namespace

bool user_range_ok(uint64_t address, uint64_t length, bool write) {
    Process* p = running;
    // Supplying one page may evict another of the same range (when RAM is short), and
    // bringing a page back from swap takes disk I/O: go round until all are present.
    for (int attempt = 0; attempt < 16; ++attempt) {
        uint64_t swapped = 0;
        auto ready = mm::prepare_user_range(p->space, frames(), {p->heap_start, p->brk}, address, length, write, &swapped);
        if (!ready.ok() && ready.error() == cocoon::sys::eagain) {
            if (!swap_in(*p, swapped).ok()) return false;
            continue;
        }
        if (!ready.ok()) return false;
        if (length == 0 || range_present(p->space, address, length, write)) return true;
    }
    return false;
}

bool handle_user_page_fault(cpu::TrapFrame& frame, uint64_t address) {
    Process* p = running;
    ++p->faults;
    uint64_t* entry = p->space.leaf(page_down(address));
    if (entry && mm::is_swapped(*entry)) {
        if (!swap_in(*p, page_down(address)).ok()) kill_current(frame, address, kill_out_of_memory);
        trace::fault(static_cast<uint32_t>(p->pid), address, frame.rip, p->space.root(),
                     static_cast<uint32_t>(frame.error_code), 14, outcome_swap_in, kill_none);
        return true;
    }
    auto decision = mm::decide_user_fault({p->heap_start, p->brk}, address, static_cast<uint32_t>(frame.error_code));
    if (decision.action == mm::FaultAction::kill) kill_current(frame, address, decision.kill_reason);
    auto allocated = frames().allocate();
    if (!allocated.ok()) kill_current(frame, address, kill_out_of_memory);
    if (!p->space.map(page_down(address), allocated.value(), pte::user | pte::writable | pte::no_execute).ok()) {
        frames().free(allocated.value());
        kill_current(frame, address, kill_out_of_memory);
    }
    uint16_t outcome = decision.action == mm::FaultAction::stack_growth ? outcome_stack_growth : outcome_demand_zero;
    trace::fault(static_cast<uint32_t>(p->pid), address, frame.rip, p->space.root(),
                 static_cast<uint32_t>(frame.error_code), 14, outcome, kill_none);
    return true;
}

void end_if_killed() {
    if (running && running->killed) exit_current(-1, cocoon::trace::kill_by_parent);
}

extern "C" void first_return_check() { end_if_killed(); }

void kill_current(const cpu::TrapFrame& frame, uint64_t address, uint32_t reason) {
    Process* p = running;
    uint32_t e = static_cast<uint32_t>(frame.error_code);
    if (frame.vector == 14)
        kprintf("[kernel] killed %s (pid %d): %s at %lx, rip %lx (%s, %s, %s%s)\n", p->name, p->pid,
                kill_reason_text(reason), address, frame.rip, e & fault_bits::present ? "present" : "not present",
                e & fault_bits::write ? "write" : "read", e & fault_bits::user ? "user" : "kernel",
                e & fault_bits::fetch ? ", instruction fetch" : "");
    else if (frame.vector >= 10 && frame.vector <= 13 && e)  // the error code names a descriptor
        kprintf("[kernel] killed %s (pid %d): %s (vector %lu, %s 0x%x) at rip %lx\n", p->name, p->pid,
                kill_reason_text(reason), frame.vector, e & 2 ? "IDT vector" : e & 4 ? "LDT selector" : "GDT selector",
                e & 2 ? e >> 3 : e & ~3u, frame.rip);
    else
        kprintf("[kernel] killed %s (pid %d): %s (vector %lu) at rip %lx\n", p->name, p->pid,
                kill_reason_text(reason), frame.vector, frame.rip);
    trace::fault(static_cast<uint32_t>(p->pid), address, frame.rip, p->space.root(), e,
                 static_cast<uint16_t>(frame.vector), outcome_killed, reason);
    exit_current(-1, reason);
}

} // namespace kernel::proc
