// The scheduler's choice of the next process, on the host: round robin, and under
// sched=waker the woken first.
#include "kernel/proc/run_order.h"

#include <vector>

#include <gtest/gtest.h>

using kernel::proc::RunOrder;

namespace {

TEST(GuestRunOrder, EachRunnableSlotGetsItsTurnInOrder) {
    std::vector<bool> runnable{false, true, false, true, true};
    auto can_run = [&](int i) { return static_cast<bool>(runnable[i]); };
    RunOrder<5> order;
    std::vector<int> seen;
    for (int i = 0; i < 6; ++i) seen.push_back(order.next(can_run));
    EXPECT_EQ(seen, (std::vector<int>{1, 3, 4, 1, 3, 4}));
    runnable[2] = true;  // woke up: its turn comes after the one that ran last
    EXPECT_EQ(order.next(can_run), 1);
    EXPECT_EQ(order.next(can_run), 2);
    runnable = {false, false, true, false, false};
    EXPECT_EQ(order.next(can_run), 2);  // alone: runs again
    runnable[2] = false;
    EXPECT_EQ(order.next(can_run), -1);
}

TEST(GuestRunOrder, SlotsPutFirstRunBeforeTheRoundGoesOnWhereItWas) {
    std::vector<bool> runnable(6, true);
    auto can_run = [&](int i) { return static_cast<bool>(runnable[i]); };
    RunOrder<6> order;
    EXPECT_EQ(order.next(can_run), 0);
    EXPECT_EQ(order.next(can_run), 1);
    order.put_first(5);
    order.put_first(3);
    order.put_first(5);  // once is enough
    EXPECT_EQ(order.next(can_run), 5);
    EXPECT_EQ(order.next(can_run), 3);
    EXPECT_EQ(order.next(can_run), 2);  // the round resumes after 1
}

TEST(GuestRunOrder, ASlotPutFirstThatCannotRunAnyMoreIsPassedOver) {
    std::vector<bool> runnable{true, true, true};
    auto can_run = [&](int i) { return static_cast<bool>(runnable[i]); };
    RunOrder<3> order;
    order.put_first(2);
    runnable[2] = false;  // blocked again before its turn
    EXPECT_EQ(order.next(can_run), 0);
    runnable[2] = true;
    EXPECT_EQ(order.next(can_run), 1);
    EXPECT_EQ(order.next(can_run), 2);
}

} // namespace
