// What ps, mem and the utilization demo ask of the kernel, and the quantum a user may
// change while processes run.
#include "cocoon/syscalls.h"
#include "cocoon/system_info.h"
#include "kernel/arch/cpu.h"
#include "kernel/arch/timer.h"
#include "kernel/kmem.h"
#include "kernel/lib/string.h"
#include "kernel/proc/paging.h"
#include "kernel/proc/process.h"
#include "kernel/proc/syscall_handlers.h"
#include "kernel/tty/console.h"

namespace kernel::proc::calls {
namespace {

namespace sys = cocoon::sys;

uint32_t state_of(const Process& p) {
    switch (p.state) {
    case State::running: return sys::state_running;
    case State::sleeping: return sys::state_sleeping;
    case State::waiting: return sys::state_waiting;
    case State::blocked: return sys::state_disk;
    case State::reading: return sys::state_input;
    case State::zombie: return sys::state_zombie;
    default: return sys::state_ready;
    }
}

sys::ProcessInfo describe(const Process& p) {
    sys::ProcessInfo info{};
    info.pid = p.pid;
    info.parent = p.parent;
    info.state = state_of(p);
    static_assert(sizeof info.name == sizeof p.name);
    memcpy(info.name, p.name, sizeof info.name);
    info.cpu_us = cpu_us(p);
    info.pages = p.space.pages();
    info.table_pages = p.space.table_pages();
    return info;
}

} // namespace

int64_t process_list(uint64_t buffer, uint64_t count) {
    if (count > max_processes) count = max_processes;
    if (!user_range_ok(buffer, count * sizeof(sys::ProcessInfo), true)) return -sys::efault;
    uint64_t listed = 0;
    for (int i = 0; i < max_processes && listed < count; ++i) {
        const Process& p = *slot(i);
        if (p.state == State::unused) continue;
        sys::ProcessInfo info = describe(p);
        cpu::user_access_begin();
        memcpy(reinterpret_cast<sys::ProcessInfo*>(buffer) + listed++, &info, sizeof info);
        cpu::user_access_end();
    }
    return static_cast<int64_t>(listed);
}

int64_t system_info(uint64_t buffer) {
    if (!user_range_ok(buffer, sizeof(sys::SystemInfo), true)) return -sys::efault;
    sys::SystemInfo info{};
    info.uptime_us = timer::uptime_us();
    info.idle_us = idle_us();
    info.frames_total = frames().total_count();
    info.frames_free = frames().free_count();
    info.swap_slots_total = swap_slots_total();
    info.swap_slots_used = swap_slots_used();
    info.input_dropped = tty::dropped();
    info.quantum_ms = quantum_ms();
    info.scheduler = scheduler();
    cpu::user_access_begin();
    memcpy(reinterpret_cast<void*>(buffer), &info, sizeof info);
    cpu::user_access_end();
    return 0;
}

int64_t set_quantum(uint64_t ms) {
    if (ms == 0) return quantum_ms();
    if (ms > sys::max_quantum_ms) return -sys::einval;
    return proc::set_quantum(static_cast<uint32_t>(ms));
}

} // namespace kernel::proc::calls
