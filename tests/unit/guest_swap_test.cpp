// The kernel's swap bookkeeping and its clock, over simulated RAM: slots, clean
// copies, swapped-out entries, what freeing a process gives back, and which page the
// second-chance hand picks.
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "cocoon/syscalls.h"
#include "kernel/layout.h"
#include "kernel/mm/swap_space.h"
#include "kernel/mm/user_range.h"
#include "support/simulated_ram.h"

using namespace kernel::mm;

namespace {

constexpr uint64_t user_rw = pte::user | pte::writable | pte::no_execute;

struct World {
    test::SimulatedRam ram{256};
    FrameAllocator frames{ram};
    std::unique_ptr<SwapSpace> swap = std::make_unique<SwapSpace>();
    AddressSpace space;
    World() {
        frames.add_range(0, 256 * 4096);
        swap->init(8);
        uint64_t kernel_root = frames.allocate().value();
        space = AddressSpace::create(frames, ram, kernel_root, swap.get()).value();
    }
};

TEST(GuestSwap, SlotsAreHandedOutUntilTheDiskIsFull) {
    auto swap = std::make_unique<SwapSpace>();
    swap->init(3);
    EXPECT_EQ(swap->allocate().value(), 0u);
    EXPECT_EQ(swap->allocate().value(), 1u);
    EXPECT_EQ(swap->allocate().value(), 2u);
    auto full = swap->allocate();
    EXPECT_FALSE(full.ok());
    EXPECT_EQ(full.error(), cocoon::sys::enomem);
    swap->free(1);
    swap->free(1);  // twice: ignored
    EXPECT_EQ(swap->used(), 2u);
    EXPECT_EQ(swap->allocate().value(), 1u);
}

TEST(GuestSwap, ACleanCopyIsRememberedUntilItsFrameChanges) {
    auto swap = std::make_unique<SwapSpace>();
    swap->init(4);
    uint64_t slot = swap->allocate().value();
    swap->remember_copy(0x5000, slot);
    EXPECT_EQ(swap->copy_of(0x5000), slot);
    EXPECT_EQ(swap->copy_of(0x6000), SwapSpace::no_copy);
    swap->drop_copy(0x5000);
    EXPECT_EQ(swap->copy_of(0x5000), SwapSpace::no_copy);
    EXPECT_FALSE(swap->in_use(slot));
}

TEST(GuestSwap, AFullDiskGivesUpCopiesBeforeRefusing) {
    auto swap = std::make_unique<SwapSpace>();
    swap->init(2);
    swap->remember_copy(0x5000, swap->allocate().value());
    uint64_t held = swap->allocate().value();  // a swapped-out page's: not to be taken
    EXPECT_FALSE(swap->allocate().ok());
    EXPECT_TRUE(swap->drop_any_copy());
    EXPECT_EQ(swap->copy_of(0x5000), SwapSpace::no_copy);
    EXPECT_TRUE(swap->allocate().ok());
    EXPECT_FALSE(swap->drop_any_copy());
    EXPECT_TRUE(swap->in_use(held));
}

TEST(GuestSwap, SwappedEntriesKeepSlotAndRightsAndAreNotPresent) {
    uint64_t e = swapped_entry(1234, user_rw | pte::accessed);
    EXPECT_TRUE(is_swapped(e));
    EXPECT_FALSE(e & pte::present);
    EXPECT_EQ(slot_of(e), 1234u);
    EXPECT_EQ(e & pte::rights, user_rw);
    EXPECT_FALSE(is_swapped(0));
    EXPECT_FALSE(is_swapped(0x5000 | pte::present | pte::swapped));
}

TEST(GuestSwap, DestroyAndUnmapFreeSlotsAndCopies) {
    World w;
    uint64_t before = w.frames.free_count();
    uint64_t frame = w.frames.allocate().value();
    ASSERT_TRUE(w.space.map(0x600000, frame, user_rw).ok());
    uint64_t copy = w.swap->allocate().value();
    w.swap->remember_copy(frame, copy);                    // resident with a clean copy
    ASSERT_TRUE(w.space.map(0x601000, w.frames.allocate().value(), user_rw).ok());
    uint64_t out = w.swap->allocate().value();
    *w.space.leaf(0x601000) = swapped_entry(out, user_rw);  // (its frame went to the free list in real life)
    EXPECT_FALSE(w.space.map(0x601000, 0x1000, user_rw).ok());  // nothing maps over a swapped page
    uint64_t third = w.swap->allocate().value();
    ASSERT_TRUE(w.space.map(0x602000, w.frames.allocate().value(), user_rw).ok());
    *w.space.leaf(0x602000) = swapped_entry(third, user_rw);
    EXPECT_TRUE(w.space.unmap(0x602000));  // shrinking the heap over a swapped page
    EXPECT_FALSE(w.swap->in_use(third));
    EXPECT_EQ(w.swap->used(), 2u);
    w.space.destroy();
    EXPECT_EQ(w.swap->used(), 0u);
    EXPECT_EQ(w.swap->copy_of(frame), SwapSpace::no_copy);
    // Everything came back but the two frames this test dropped on purpose, plus the
    // root, which was allocated before `before`.
    EXPECT_EQ(w.frames.free_count(), before - 2 + 1);
}

TEST(GuestSwap, TheUserPointerCheckAsksForASwappedPageBack) {
    World w;
    ASSERT_TRUE(w.space.map(0x600000, w.frames.allocate().value(), user_rw).ok());
    *w.space.leaf(0x601000 - 0x1000 + 0x1000) = swapped_entry(w.swap->allocate().value(), user_rw);
    uint64_t page = 0;
    auto r = prepare_user_range(w.space, w.frames, {0x600000, 0x700000}, 0x600ff0, 32, true, &page);
    EXPECT_EQ(r.error(), cocoon::sys::eagain);
    EXPECT_EQ(page, 0x601000u);
}

TEST(GuestClock, SecondChanceSkipsRecentlyUsedPagesOnce) {
    World w;
    for (uint64_t va : {0x400000ull, 0x401000ull, 0x402000ull, 0x7ffffffff000ull - 0x1000})
        ASSERT_TRUE(w.space.map(va, w.frames.allocate().value(), user_rw | pte::accessed).ok());
    *w.space.leaf(0x401000) |= pte::pinned;                 // under disk I/O: never picked
    *w.space.leaf(0x402000) &= ~pte::accessed;              // not used lately
    uint64_t cursor = 0;
    Victim v{};
    ASSERT_TRUE(pick_victim(w.space, cursor, v));
    EXPECT_EQ(v.virt, 0x402000u);
    EXPECT_FALSE(*w.space.leaf(0x400000) & pte::accessed);  // passed over: lost its second chance
    EXPECT_TRUE(*w.space.leaf(0x401000) & pte::accessed);   // pinned: untouched
    ASSERT_TRUE(pick_victim(w.space, cursor, v));  // the stack page had its chance; the hand wraps to 0x400000
    EXPECT_EQ(v.virt, 0x400000u);
    EXPECT_FALSE(*w.space.leaf(0x7ffffffff000ull - 0x1000) & pte::accessed);
    *w.space.leaf(0x400000) |= pte::pinned;
    *w.space.leaf(0x402000) |= pte::pinned;
    *w.space.leaf(0x7ffffffff000ull - 0x1000) |= pte::pinned;
    EXPECT_FALSE(pick_victim(w.space, cursor, v));  // everything pinned: two laps, nothing
}

} // namespace
