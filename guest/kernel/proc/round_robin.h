// The scheduler's choice, apart from the process table so that it is tested on the
// host: the first slot after `last` (wrapping around, `last` itself last) whose process
// can run, or -1 when none can. `last` is -1 before anything ran.
#pragma once

namespace kernel::proc {

template <typename CanRun>
int round_robin_next(int last, int slots, CanRun can_run) {
    for (int step = 1; step <= slots; ++step) {
        int slot = (last + step) % slots;
        if (can_run(slot)) return slot;
    }
    return -1;
}

} // namespace kernel::proc
