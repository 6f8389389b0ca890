// System calls: number in rax, arguments in rdi, rsi, rdx, r10, r8, r9, result in rax.
// Every user pointer is checked against the caller's address space first.
#include "cocoon/syscalls.h"
#include "cocoon/trace.h"

#include "kernel/arch/cpu.h"
#include "kernel/arch/timer.h"
#include "kernel/arch/x86.h"
#include "kernel/drivers/virtio_blk.h"
#include "kernel/kmem.h"
#include "kernel/layout.h"
#include "kernel/lib/string.h"
#include "kernel/mm/swap_space.h"
#include "kernel/proc/process.h"
#include "kernel/proc/syscall_handlers.h"

namespace kernel::proc {
namespace {

namespace sys = cocoon::sys;
using namespace cocoon::trace;

int64_t fail(int64_t errno_value) { return -errno_value; }

// The heap may grow up to the guard gap below the stack.
int64_t set_break(Process& p, uint64_t end) {
    if (end < p.heap_start || end > layout::user_guard_lowest) return fail(sys::enomem);
    uint64_t old_top = (p.brk + layout::page_size - 1) & ~(layout::page_size - 1);
    uint64_t new_top = (end + layout::page_size - 1) & ~(layout::page_size - 1);
    // A shrink costs what was mapped there, not the range's size (it may span terabytes);
    // the process's TLB entries go with one CR3 write (its PCID's, when PCIDs are on).
    if (new_top < old_top && p.space.unmap_range(new_top, old_top)) x86::write_cr3(x86::read_cr3());
    p.brk = end;
    return 0;
}

int64_t sys_brk(uint64_t end) {
    Process& p = *current();
    if (end != 0) set_break(p, end);
    return static_cast<int64_t>(p.brk);
}

int64_t sys_sbrk(int64_t increment) {
    Process& p = *current();
    uint64_t old = p.brk;
    uint64_t end = old + static_cast<uint64_t>(increment);
    if ((increment > 0 && end < old) || (increment < 0 && end > old)) return fail(sys::enomem);  // wrapped
    int64_t r = set_break(p, end);
    return r < 0 ? r : static_cast<int64_t>(old);
}

// Copies a NUL-terminated user string into `out` (`size` bytes, the NUL included):
// 0, EFAULT (a byte the process may not read), or EINVAL (no NUL within `size`).
int64_t copy_user_string(uint64_t address, char* out, uint64_t size) {
    for (uint64_t n = 0; n < size; ++n) {
        if (!user_range_ok(address + n, 1, false)) return fail(sys::efault);
        cpu::user_access_begin();
        out[n] = reinterpret_cast<const char*>(address)[n];
        cpu::user_access_end();
        if (!out[n]) return 0;
    }
    return fail(sys::einval);
}

int64_t sys_spawn(uint64_t name_address, uint64_t args_address) {
    char name[sys::max_name], args[sys::max_args] = "";
    if (int64_t r = copy_user_string(name_address, name, sizeof name); r < 0) return r;
    if (args_address) {
        if (int64_t r = copy_user_string(args_address, args, sizeof args); r < 0) return r;
    }
    auto pid = spawn(name, current()->pid, args);
    return pid.ok() ? pid.value() : fail(pid.error());
}

// A place for one 32-bit result: none (0), or a user word the kernel may write.
bool result_slot_ok(uint64_t address) { return !address || user_range_ok(address, sizeof(uint32_t), true); }

void put_result(uint64_t address, uint32_t value) {
    if (!address) return;
    cpu::user_access_begin();
    *reinterpret_cast<uint32_t*>(address) = value;
    cpu::user_access_end();
}

// pid <= 0: any child.
int64_t sys_wait(int64_t pid_value, uint64_t status_address, uint64_t reason_address, uint64_t flags) {
    Process& me = *current();
    int pid = pid_value <= 0 ? -1 : calls::pid_argument(pid_value);
    if (pid == 0) return fail(sys::echild);
    if (flags & ~sys::wait_nohang) return fail(sys::einval);
    if (!result_slot_ok(status_address) || !result_slot_ok(reason_address)) return fail(sys::efault);
    for (;;) {
        bool have_child = false;
        for (int i = 0; i < max_processes; ++i) {
            Process* child = slot(i);
            if (child->state == State::unused || child->parent != me.pid || (pid > 0 && child->pid != pid)) continue;
            have_child = true;
            if (child->state != State::zombie || child->space.root()) continue;  // not yet reaped
            int found = child->pid;
            // Checked again: the pages may have gone to swap while this process waited.
            if (!result_slot_ok(status_address) || !result_slot_ok(reason_address)) return fail(sys::efault);
            put_result(status_address, static_cast<uint32_t>(child->exit_status));
            put_result(reason_address, child->kill_reason);
            child->state = State::unused;
            child->pid = 0;
            return found;
        }
        if (!have_child) return fail(sys::echild);
        if (flags & sys::wait_nohang) return 0;
        if (me.kill_pending || take_interrupt(me)) return fail(sys::eintr);  // a killed one ends on its way out
        me.state = State::waiting;
        me.wait_for = pid;
        yield_cpu(switch_block);
    }
}

// A disk number from a system call: -1 for one that names no disk (also for a value too
// large for an int, which must not wrap onto a real disk).
int disk_index(uint64_t disk) {
    return disk < static_cast<uint64_t>(drivers::block_device_count()) ? static_cast<int>(disk) : -1;
}

// A disk request on a user buffer: checked, its pages made present, and handed to the
// device page by page, so the data moves straight between the disk and the process.
int64_t sys_disk_transfer(bool write, uint64_t disk, uint64_t sector, uint64_t buffer, uint64_t length) {
    if (disk_index(disk) < 0) return fail(sys::enoent);
    if (length == 0 || length > (64u << 10) || length % 512) return fail(sys::einval);
    if (!user_range_ok(buffer, length, !write)) return fail(sys::efault);  // a read writes the buffer
    // Pinned while the device works on them: the swap clock passes them over. A read
    // changes them behind the CPU's back, so they are marked dirty (their copy on the
    // swap disk, if any, is stale).
    mm::AddressSpace& space = current()->space;
    drivers::PhysicalPiece pieces[drivers::max_request_pieces];
    int count = drivers::split_at_pages(buffer, length, [&](uint64_t at) { return space.translate(at); }, pieces,
                                        drivers::max_request_pieces);
    for (uint64_t at = buffer & ~(layout::page_size - 1); at < buffer + length; at += layout::page_size)
        *space.leaf(at) |= mm::pte::pinned | (write ? 0 : mm::pte::dirty);
    auto done = drivers::block_transfer(disk_index(disk), write, sector, pieces, count);
    for (uint64_t at = buffer & ~(layout::page_size - 1); at < buffer + length; at += layout::page_size)
        *space.leaf(at) &= ~mm::pte::pinned;
    return done.ok() ? 0 : fail(done.error());
}

int64_t sys_disk_flush(uint64_t disk) {
    if (disk_index(disk) < 0) return fail(sys::enoent);
    auto flushed = drivers::block_flush(disk_index(disk));
    return flushed.ok() ? 0 : fail(flushed.error());
}

int64_t sys_disk_sectors(uint64_t disk) {
    if (disk_index(disk) < 0) return fail(sys::enoent);
    return static_cast<int64_t>(drivers::block_info(disk_index(disk)).sectors);
}

// A killed process does not sleep: nothing would wake it before wake_at. (With one CPU
// a kill finds it sleeping or on its way back to user mode; not so with several.)
int64_t sys_sleep(uint64_t ms) {
    Process& me = *current();
    if (me.kill_pending) return 0;  // it ends on its way out
    if (take_interrupt(me)) return fail(sys::eintr);
    me.wake_at = timer::ticks() + (ms > (1ull << 40) ? (1ull << 40) : ms) * timer::hz / 1000;
    me.state = State::sleeping;
    yield_cpu(switch_block);
    return take_interrupt(me) ? fail(sys::eintr) : 0;
}

int64_t sys_kill(int64_t pid) {
    Process* child = find(calls::pid_argument(pid));
    if (!child || child->state == State::unused || child->state == State::zombie) return fail(sys::esrch);
    if (child->parent != current()->pid) return fail(sys::eperm);
    kill(*child, kill_by_parent);
    return 0;
}

} // namespace

int calls::pid_argument(int64_t pid) { return pid > 0 && pid <= INT32_MAX ? static_cast<int>(pid) : 0; }

void syscall(cpu::TrapFrame& f) {
    Process& p = *current();
    int64_t result = 0;
    switch (f.rax) {
    case sys::exit: exit_current(static_cast<int>(f.rdi), kill_none);
    case sys::write: result = calls::write(f.rdi, f.rsi, f.rdx); break;
    case sys::read: result = calls::read(f.rdi, f.rsi, f.rdx); break;
    case sys::getpid: result = p.pid; break;
    case sys::brk: result = sys_brk(f.rdi); break;
    case sys::sbrk: result = sys_sbrk(static_cast<int64_t>(f.rdi)); break;
    case sys::yield: yield_cpu(switch_yield); break;
    case sys::sleep_ms: result = sys_sleep(f.rdi); break;
    case sys::spawn: result = sys_spawn(f.rdi, f.rsi); break;
    case sys::wait: result = sys_wait(static_cast<int64_t>(f.rdi), f.rsi, f.rdx, f.r10); break;
    case sys::uptime_ms: result = static_cast<int64_t>(timer::uptime_ms()); break;
    case sys::disk_read: result = sys_disk_transfer(false, f.rdi, f.rsi, f.rdx, f.r10); break;
    case sys::disk_write: result = sys_disk_transfer(true, f.rdi, f.rsi, f.rdx, f.r10); break;
    case sys::disk_flush: result = sys_disk_flush(f.rdi); break;
    case sys::disk_sectors: result = sys_disk_sectors(f.rdi); break;
    case sys::frames_free: result = static_cast<int64_t>(frames().free_count()); break;
    case sys::kill: result = sys_kill(static_cast<int64_t>(f.rdi)); break;
    case sys::process_list: result = calls::process_list(f.rdi, f.rsi); break;
    case sys::system_info: result = calls::system_info(f.rdi); break;
    case sys::set_foreground: result = calls::set_foreground(static_cast<int64_t>(f.rdi)); break;
    case sys::set_quantum: result = calls::set_quantum(f.rdi); break;
    case sys::console_mode: result = calls::console_mode(f.rdi); break;
    default: result = fail(sys::enosys);
    }
    f.rax = static_cast<uint64_t>(result);
    // The return address is the byte after `syscall`: past the user half only for a
    // `syscall` ending its last page. sysretq and iretq would both fault in ring 0 on
    // such a RIP; the process's next fetch would fault, so it is killed as it would be.
    if (f.rip >= layout::user_top) kill_current(f, f.rip, kill_general_protection);
}

} // namespace kernel::proc
