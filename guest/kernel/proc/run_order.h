// The scheduler's choice, apart from the process table so that it is tested on the
// host. Round robin over the table's slots: the first slot after the one that ran last
// (wrapping around, that one itself last) whose process can run. A slot put first (a
// process woken by a device or the clock, under sched=waker) runs before the round
// goes on, in the order they were put there, and leaves the round where it was.
#pragma once

namespace kernel::proc {

template <int Slots>
class RunOrder {
public:
    void put_first(int slot) {
        for (int i = 0; i < first_count_; ++i)
            if (first_[i] == slot) return;
        first_[first_count_++] = slot;
    }

    // The slot to run next, or -1 when none can run.
    template <typename CanRun>
    int next(CanRun can_run) {
        while (first_count_ > 0) {
            int slot = first_[0];
            for (int i = 1; i < first_count_; ++i) first_[i - 1] = first_[i];
            --first_count_;
            if (can_run(slot)) return slot;  // one that blocked again meanwhile is passed over
        }
        for (int step = 1; step <= Slots; ++step) {
            int slot = (last_ + step) % Slots;
            if (can_run(slot)) return last_ = slot;
        }
        return -1;
    }

private:
    int last_ = -1;  // -1 before anything ran
    int first_[Slots] = {};
    int first_count_ = 0;
};

} // namespace kernel::proc
