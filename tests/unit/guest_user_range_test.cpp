// The kernel's user-pointer check, over simulated RAM.
#include <gtest/gtest.h>

#include "cocoon/syscalls.h"
#include "kernel/layout.h"
#include "kernel/mm/user_range.h"
#include "support/simulated_ram.h"

using namespace kernel::mm;
namespace layout = kernel::layout;

namespace {

using Ram = test::SimulatedRam;

// A process with code at 0x400000 (read-only), one data page after it (writable) and
// a heap [0x402000, 0x404000) that nothing has touched yet.
struct Process {
    Ram ram{128};
    FrameAllocator frames{ram};
    AddressSpace space;
    UserRegions regions{0x402000, 0x404000};
    Process() {
        frames.add_range(0, 128 * 4096);
        uint64_t kernel_root = frames.allocate().value();
        space = AddressSpace::create(frames, ram, kernel_root).value();
        EXPECT_TRUE(space.map(0x400000, frames.allocate().value(), pte::user).ok());
        EXPECT_TRUE(space.map(0x401000, frames.allocate().value(), pte::user | pte::writable | pte::no_execute).ok());
    }
    int64_t check(uint64_t address, uint64_t length, bool write) {
        return prepare_user_range(space, frames, regions, address, length, write).error();
    }
};

constexpr int64_t ok = 0, efault = cocoon::sys::efault;

TEST(GuestUserRange, MappedPagesPassWithTheRightRights) {
    Process p;
    EXPECT_EQ(p.check(0x400000, 4096, false), ok);
    EXPECT_EQ(p.check(0x401ff0, 16, true), ok);
    EXPECT_EQ(p.check(0x400ff0, 32, false), ok);   // code then data: both readable
    EXPECT_EQ(p.check(0x400010, 1, true), efault);  // writing the code
    EXPECT_EQ(p.check(0x400ff0, 32, true), efault); // starts in code, ends in data
    EXPECT_EQ(p.check(0, 0, true), ok);            // nothing to touch
}

TEST(GuestUserRange, NullKernelAndWrappingRangesAreRefused) {
    Process p;
    EXPECT_EQ(p.check(0, 8, false), efault);
    EXPECT_EQ(p.check(0xfff, 1, false), efault);
    EXPECT_EQ(p.check(layout::kernel_base + 0x100000, 8, false), efault);
    EXPECT_EQ(p.check(layout::direct_map, 8, true), efault);
    EXPECT_EQ(p.check(layout::user_top - 8, 16, false), efault);   // runs into the kernel half
    EXPECT_EQ(p.check(0x401000, ~0ull, false), efault);             // wraps around
    EXPECT_EQ(p.check(0x401000, 1ull << 62, false), efault);        // huge
}

TEST(GuestUserRange, RangesRunningIntoAHoleAreRefused) {
    Process p;
    EXPECT_EQ(p.check(0x403ff0, 32, true), efault);   // the heap ends at 0x404000
    EXPECT_EQ(p.check(0x10000000, 8, false), efault); // nothing there
    EXPECT_EQ(p.check(layout::user_stack_lowest - 16, 32, true), efault);  // from the guard gap
}

TEST(GuestUserRange, DemandPagesAreSuppliedZeroedAndCounted) {
    Process p;
    uint64_t free_before = p.frames.free_count();
    EXPECT_EQ(p.space.translate(0x402000), 0u);
    EXPECT_EQ(p.check(0x402ff0, 32, true), ok);  // two heap pages
    EXPECT_NE(p.space.translate(0x402000), 0u);
    EXPECT_NE(p.space.translate(0x403000), 0u);
    EXPECT_EQ(p.frames.free_count(), free_before - 2);  // the same PT held both
    EXPECT_EQ(p.check(layout::user_stack_top - 64, 64, true), ok);  // stack growth
    EXPECT_NE(*p.space.leaf(layout::user_stack_top - 64) & pte::no_execute, 0u);
    EXPECT_EQ(p.ram.at(p.space.translate(0x402ff0))[0], 0);
}

TEST(GuestUserRange, NoFrameForADemandPageIsEnomem) {
    Process p;
    while (p.frames.allocate().ok()) {
    }
    EXPECT_EQ(p.check(0x402000, 8, true), cocoon::sys::enomem);
    EXPECT_EQ(p.check(0x401000, 8, true), ok);  // mapped pages need no frame
}

} // namespace
