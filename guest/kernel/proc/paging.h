// Swap: when the frames run out, a page of some process goes to the swap disk (chosen
// by the clock over the processes' page tables) and comes back on its next fault.
// Clean pages whose copy is still on the disk are dropped without a write.
#pragma once
#include <stdint.h>

#include "kernel/lib/result.h"
#include "kernel/mm/swap_space.h"
#include "kernel/proc/process.h"

namespace kernel::proc {

// Disk `disk` (from `swap=N` on the command line) becomes the swap disk; reports what
// it found.
void init_swap(int disk);
uint64_t swap_slots_used();
uint64_t swap_slots_total();
mm::SwapSpace* swap_space();  // for new address spaces; nullptr without swap
// Brings `page` of `p` (the running process) back from swap. ENOMEM: no frame even
// after evicting; EIO: the disk failed.
ErrorOr<void> swap_in(Process& p, uint64_t page);

} // namespace kernel::proc
