// System calls' access to user memory: a range the kernel may touch, every page of it
// supplied (demand-zero, or back from swap) before the kernel relies on it.
#include "cocoon/syscalls.h"
#include "kernel/mm/user_range.h"
#include "kernel/kmem.h"
#include "kernel/proc/paging.h"
#include "kernel/proc/process_table.h"

namespace kernel::proc {
namespace {

namespace pte = mm::pte;
using shared::page_down;
using shared::running;

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

} // namespace kernel::proc
