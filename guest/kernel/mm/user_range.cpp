#include "kernel/mm/user_range.h"

#include "cocoon/syscalls.h"
#include "kernel/layout.h"
#include "kernel/mm/swap_space.h"

namespace kernel::mm {

ErrorOr<void> prepare_user_range(AddressSpace& space, FrameAllocator& frames, const UserRegions& regions,
                                 uint64_t address, uint64_t length, bool write, uint64_t* swapped_page) {
    if (length == 0) return {};
    if (address >= layout::user_top || length > layout::user_top - address) return Error{cocoon::sys::efault};
    uint64_t first = address & ~(layout::page_size - 1);
    for (uint64_t page = first; page < address + length; page += layout::page_size) {
        const uint64_t* entry = space.leaf(page);
        if (entry && is_swapped(*entry)) {
            if (swapped_page) *swapped_page = page;
            return Error{cocoon::sys::eagain};
        }
        if (entry && (*entry & pte::present)) {
            if (!(*entry & pte::user) || (write && !(*entry & pte::writable))) return Error{cocoon::sys::efault};
            continue;
        }
        auto decision = decide_user_fault(regions, page, write ? fault_bits::write : 0);
        if (decision.action == FaultAction::kill) return Error{cocoon::sys::efault};
        uint64_t frame = TRY(frames.allocate());
        auto mapped = space.map(page, frame, pte::user | pte::writable | pte::no_execute);
        if (!mapped.ok()) {
            frames.free(frame);
            return mapped;
        }
    }
    return {};
}

} // namespace kernel::mm
