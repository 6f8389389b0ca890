// System calls: number in rax, arguments in rdi, rsi, rdx, r10, r8, r9, result in rax.
// Every user pointer is checked against the caller's address space first.
#include "cocoon/syscalls.h"
#include "cocoon/trace.h"

#include "kernel/arch/console.h"
#include "kernel/arch/cpu.h"
#include "kernel/arch/timer.h"
#include "kernel/arch/x86.h"
#include "kernel/drivers/virtio_blk.h"
#include "kernel/kmem.h"
#include "kernel/layout.h"
#include "kernel/lib/string.h"
#include "kernel/mm/swap_space.h"
#include "kernel/proc/process.h"

namespace kernel::proc {
namespace {

namespace sys = cocoon::sys;
using namespace cocoon::trace;

int64_t fail(int64_t errno_value) { return -errno_value; }

// At most this much per read or write (a short count, as Linux's MAX_RW_COUNT): the
// pages a call checks and supplies are bounded, whatever length the caller names.
constexpr uint64_t max_transfer = 1u << 20;

int64_t sys_write(uint64_t fd, uint64_t buffer, uint64_t length) {
    if (fd != 1 && fd != 2) return fail(sys::ebadf);
    if (length > max_transfer) length = max_transfer;
    if (!user_range_ok(buffer, length, false)) return fail(sys::efault);
    char chunk[256];
    for (uint64_t done = 0; done < length;) {
        uint64_t n = length - done < sizeof chunk ? length - done : sizeof chunk;
        cpu::user_access_begin();
        memcpy(chunk, reinterpret_cast<const void*>(buffer + done), n);
        cpu::user_access_end();
        console_write(chunk, n);
        done += n;
    }
    return static_cast<int64_t>(length);
}

int64_t sys_read(uint64_t fd, uint64_t buffer, uint64_t length) {
    if (fd != 0) return fail(sys::ebadf);
    if (length > max_transfer) length = max_transfer;
    if (!user_range_ok(buffer, length, true)) return fail(sys::efault);
    uint64_t n = 0;
    while (n < length && (x86::inb(0x3fd) & 1)) {  // what the UART holds now; never blocks
        char c = static_cast<char>(x86::inb(0x3f8));
        cpu::user_access_begin();
        reinterpret_cast<char*>(buffer)[n++] = c;
        cpu::user_access_end();
    }
    return static_cast<int64_t>(n);
}

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

// A pid from a system call: pids are positive ints, and a value that is not one (2^32 +
// a child's pid, say) names no process rather than wrapping onto a real one.
int pid_argument(int64_t pid) { return pid > 0 && pid <= INT32_MAX ? static_cast<int>(pid) : 0; }

// pid <= 0: any child.
int64_t sys_wait(int64_t pid_value, uint64_t status_address, uint64_t reason_address) {
    Process& me = *current();
    int pid = pid_value <= 0 ? -1 : pid_argument(pid_value);
    if (pid == 0) return fail(sys::echild);
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
        if (me.killed) return fail(sys::eintr);  // it ends on its way out
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
void sys_sleep(uint64_t ms) {
    Process& me = *current();
    if (me.killed) return;  // it ends on its way out
    me.wake_at = timer::ticks() + (ms > (1ull << 40) ? (1ull << 40) : ms) * timer::hz / 1000;
    me.state = State::sleeping;
    yield_cpu(switch_block);
}

// Marks the caller's child killed; a sleeping or waiting child wakes to notice. One
// blocked on a disk request notices when the request is done: its pages are pinned.
int64_t sys_kill(int64_t pid) {
    Process* child = find(pid_argument(pid));
    if (!child || child->state == State::unused || child->state == State::zombie) return fail(sys::esrch);
    if (child->parent != current()->pid) return fail(sys::eperm);
    child->killed = true;
    if (child->state == State::sleeping || child->state == State::waiting) child->state = State::runnable;
    return 0;
}

} // namespace

void syscall(cpu::TrapFrame& f) {
    Process& p = *current();
    int64_t result = 0;
    switch (f.rax) {
    case sys::exit: exit_current(static_cast<int>(f.rdi), kill_none);
    case sys::write: result = sys_write(f.rdi, f.rsi, f.rdx); break;
    case sys::read: result = sys_read(f.rdi, f.rsi, f.rdx); break;
    case sys::getpid: result = p.pid; break;
    case sys::brk: result = sys_brk(f.rdi); break;
    case sys::sbrk: result = sys_sbrk(static_cast<int64_t>(f.rdi)); break;
    case sys::yield: yield_cpu(switch_yield); break;
    case sys::sleep_ms: sys_sleep(f.rdi); break;
    case sys::spawn: result = sys_spawn(f.rdi, f.rsi); break;
    case sys::wait: result = sys_wait(static_cast<int64_t>(f.rdi), f.rsi, f.rdx); break;
    case sys::uptime_ms: result = static_cast<int64_t>(timer::uptime_ms()); break;
    case sys::disk_read: result = sys_disk_transfer(false, f.rdi, f.rsi, f.rdx, f.r10); break;
    case sys::disk_write: result = sys_disk_transfer(true, f.rdi, f.rsi, f.rdx, f.r10); break;
    case sys::disk_flush: result = sys_disk_flush(f.rdi); break;
    case sys::disk_sectors: result = sys_disk_sectors(f.rdi); break;
    case sys::frames_free: result = static_cast<int64_t>(frames().free_count()); break;
    case sys::kill: result = sys_kill(static_cast<int64_t>(f.rdi)); break;
    default: result = fail(sys::enosys);
    }
    f.rax = static_cast<uint64_t>(result);
    // The return address is the byte after `syscall`: past the user half only for a
    // `syscall` ending its last page. sysretq and iretq would both fault in ring 0 on
    // such a RIP; the process's next fetch would fault, so it is killed as it would be.
    if (f.rip >= layout::user_top) kill_current(f, f.rip, kill_general_protection);
}

} // namespace kernel::proc
