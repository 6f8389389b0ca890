// The one check every system call makes before the kernel touches user memory: the
// range lies in the user half without wrapping, and every page in it is mapped for
// the user (writable when written) or is a heap or stack page that can be supplied
// now, as the fault handler would. Portable: tested on the host.
#pragma once
#include <stdint.h>

#include "kernel/lib/result.h"
#include "kernel/mm/address_space.h"
#include "kernel/mm/fault_policy.h"

namespace kernel::mm {

// Ok, or EFAULT (a page the process may not touch that way), ENOMEM (no frame for a
// demand page) or EAGAIN with `*swapped_page` set: that page is on the swap disk and
// must be brought back first (which takes disk I/O, so it is the caller's job).
// Pages supplied on the way stay mapped, as after a fault.
ErrorOr<void> prepare_user_range(AddressSpace& space, FrameAllocator& frames, const UserRegions& regions,
                                 uint64_t address, uint64_t length, bool write, uint64_t* swapped_page = nullptr);

} // namespace kernel::mm
