// The kernel's portable memory core over a simulated RAM buffer: frames, page tables,
// the fault policy.
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "cocoon/trace.h"
#include "kernel/layout.h"
#include "kernel/mm/address_space.h"
#include "kernel/mm/fault_policy.h"
#include "support/simulated_ram.h"

using namespace kernel::mm;

namespace {

using Ram = test::SimulatedRam;

struct World {
    Ram ram{256};
    FrameAllocator frames{ram};
    uint64_t kernel_root = 0;
    World() {
        frames.add_range(0, 256 * 4096);
        kernel_root = frames.allocate().value();
        ram.as<uint64_t>(kernel_root)[511] = 0x1234003;  // a kernel-half entry to share
    }
};

constexpr uint64_t user_rw = pte::user | pte::writable | pte::no_execute;

TEST(GuestFrames, AllocatesZeroedFramesAndCountsThem) {
    Ram ram(16);
    FrameAllocator frames(ram);
    frames.add_range(0, 16 * 4096);
    EXPECT_EQ(frames.total_count(), 15u);  // frame 0 is never handed out
    EXPECT_EQ(frames.free_count(), 15u);
    std::vector<uint64_t> got;
    for (int i = 0; i < 15; ++i) {
        auto f = frames.allocate();
        ASSERT_TRUE(f.ok());
        EXPECT_NE(f.value(), 0u);
        EXPECT_EQ(ram.at(f.value())[8], 0);
        ram.at(f.value())[8] = 0xff;
        got.push_back(f.value());
    }
    auto none = frames.allocate();
    EXPECT_FALSE(none.ok());
    EXPECT_EQ(none.error(), 12);  // ENOMEM: an error value, not a crash
    frames.free(got[3]);
    auto again = frames.allocate();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(ram.at(again.value())[8], 0);  // zeroed on the way out
}

// RAM that remembers which frames the allocator reached into.
class WatchedRam final : public PhysicalMemory {
public:
    explicit WatchedRam(size_t frames) : ram_(frames) {}
    uint8_t* at(uint64_t phys) override {
        touched.insert(phys / 4096);
        ++accesses;
        return ram_.at(phys);
    }
    std::set<uint64_t> touched;
    uint64_t accesses = 0;

private:
    Ram ram_;
};

TEST(GuestFrames, NothingIsTouchedBeforeItsFirstUseAndFreedFramesComeBackFirst) {
    WatchedRam ram(64);
    FrameAllocator frames(ram);
    frames.add_range(0, 16 * 4096);
    frames.add_range(32 * 4096, 64 * 4096);  // a hole between the ranges
    EXPECT_EQ(frames.total_count(), 15u + 32u);
    EXPECT_TRUE(ram.touched.empty()) << "booting must not touch the RAM it hands out later";
    uint64_t first = frames.allocate().value(), second = frames.allocate().value();
    EXPECT_EQ(ram.touched, (std::set<uint64_t>{first / 4096, second / 4096}));
    frames.free(first);
    EXPECT_EQ(frames.allocate().value(), first);  // reused before a fresh frame
    std::set<uint64_t> handed_out{first, second};
    while (frames.free_count()) handed_out.insert(frames.allocate().value());
    EXPECT_EQ(handed_out.size(), 47u);
    for (uint64_t frame : handed_out) EXPECT_TRUE(frame / 4096 < 16 || frame / 4096 >= 32) << frame;
    EXPECT_FALSE(frames.allocate().ok());
}

TEST(GuestAddressSpace, MapTranslateProtectUnmap) {
    World w;
    auto space = AddressSpace::create(w.frames, w.ram, w.kernel_root).value();
    EXPECT_EQ(w.ram.as<uint64_t>(space.root())[511], 0x1234003u);  // kernel half shared
    uint64_t frame = w.frames.allocate().value();
    ASSERT_TRUE(space.map(0x400000, frame, pte::user).ok());
    EXPECT_EQ(space.table_pages(), 4u);  // root + PDPT + PD + PT, only for what is mapped
    EXPECT_EQ(space.translate(0x400123), frame + 0x123);
    EXPECT_EQ(space.translate(0x401000), 0u);
    EXPECT_FALSE(space.map(0x400000, frame, pte::user).ok());  // already mapped
    EXPECT_FALSE(*space.leaf(0x400000) & pte::writable);
    EXPECT_TRUE(space.protect(0x400000, user_rw));
    EXPECT_TRUE(*space.leaf(0x400000) & pte::writable);
    EXPECT_TRUE(space.unmap(0x400000));
    EXPECT_EQ(space.translate(0x400000), 0u);
    EXPECT_FALSE(space.unmap(0x400000));
}

TEST(GuestAddressSpace, TwoSpacesMapOneAddressToDifferentFrames) {
    World w;
    auto a = AddressSpace::create(w.frames, w.ram, w.kernel_root).value();
    auto b = AddressSpace::create(w.frames, w.ram, w.kernel_root).value();
    uint64_t fa = w.frames.allocate().value(), fb = w.frames.allocate().value();
    ASSERT_TRUE(a.map(0x402000, fa, user_rw).ok());
    ASSERT_TRUE(b.map(0x402000, fb, user_rw).ok());
    *reinterpret_cast<int*>(w.ram.at(a.translate(0x402000))) = 1;
    *reinterpret_cast<int*>(w.ram.at(b.translate(0x402000))) = 2;
    EXPECT_NE(a.translate(0x402000), b.translate(0x402000));
    EXPECT_EQ(*reinterpret_cast<int*>(w.ram.at(a.translate(0x402000))), 1);
    EXPECT_EQ(*reinterpret_cast<int*>(w.ram.at(b.translate(0x402000))), 2);
}

TEST(GuestAddressSpace, DestroyReturnsEveryFrameIncludingTables) {
    World w;
    uint64_t before = w.frames.free_count();
    auto space = AddressSpace::create(w.frames, w.ram, w.kernel_root).value();
    for (uint64_t va : {0x400000ull, 0x401000ull, 0x600000ull, 0x7ffffffff000ull - 0x1000, 0x40000000ull}) {
        ASSERT_TRUE(space.map(va, w.frames.allocate().value(), user_rw).ok());
    }
    EXPECT_LT(w.frames.free_count(), before);
    space.destroy();
    EXPECT_EQ(w.frames.free_count(), before);
}

// A heap grown to the guard gap and shrunk back: what goes is what was mapped, each
// table left empty goes too, and the walk skips what no table covers (a page-by-page
// walk of these 128 TiB would take 2^35 steps).
TEST(GuestAddressSpace, UnmapRangeCostsWhatIsMappedAndFreesEmptyTables) {
    WatchedRam ram(256);
    FrameAllocator frames(ram);
    frames.add_range(0, 256 * 4096);
    uint64_t kernel_root = frames.allocate().value();
    uint64_t before = frames.free_count();
    auto space = AddressSpace::create(frames, ram, kernel_root).value();
    const uint64_t kept = 0x400000, heap = 0x600000, far = 0x500000000000, top = kernel::layout::user_guard_lowest;
    for (uint64_t va : {kept, heap, heap + 0x1000, uint64_t{0x40000000}, far, top - 0x1000})
        ASSERT_TRUE(space.map(va, frames.allocate().value(), user_rw).ok());
    uint64_t tables = space.table_pages();
    ram.accesses = 0;
    EXPECT_EQ(space.unmap_range(heap, top), 5u);
    EXPECT_LT(ram.accesses, 8000u);  // the tables' entries a few times over, no more
    EXPECT_EQ(space.pages(), 1u);
    EXPECT_NE(space.translate(kept), 0u);
    EXPECT_EQ(space.translate(heap), 0u);
    EXPECT_EQ(space.translate(far), 0u);
    EXPECT_EQ(space.table_pages(), 4u) << "from " << tables << ": only the walk down to the kept page is left";
    EXPECT_EQ(space.unmap_range(heap, top), 0u);
    EXPECT_EQ(frames.free_count(), before - 4 - 1);  // its tables and its one page
    space.destroy();
    EXPECT_EQ(frames.free_count(), before);
}

TEST(GuestAddressSpace, RunningOutOfFramesIsAnError) {
    Ram ram(6);
    FrameAllocator frames(ram);
    frames.add_range(0, 6 * 4096);
    uint64_t kernel_root = frames.allocate().value();
    auto space = AddressSpace::create(frames, ram, kernel_root).value();
    auto r1 = space.map(0x400000, 0x1000, pte::user);  // needs three table frames: there are three
    EXPECT_TRUE(r1.ok());
    auto r2 = space.map(0x7f0000000000, 0x1000, pte::user);  // needs three more
    EXPECT_FALSE(r2.ok());
}

using cocoon::trace::KillReason;
constexpr UserRegions regions{0x600000, 0x680000};

FaultDecision decide(uint64_t address, uint32_t error) { return decide_user_fault(regions, address, error); }

TEST(GuestFaultPolicy, DemandPagingAndEveryKillReason) {
    using namespace kernel::layout;
    constexpr uint32_t present = fault_bits::present, user = fault_bits::user, write = fault_bits::write,
                       fetch = fault_bits::fetch;
    EXPECT_EQ(decide(0x600010, user | write).action, FaultAction::demand_zero);
    EXPECT_EQ(decide(0x67ffff, user).action, FaultAction::demand_zero);
    EXPECT_EQ(decide(user_stack_top - 8, user | write).action, FaultAction::stack_growth);
    EXPECT_EQ(decide(user_stack_lowest, user | write).action, FaultAction::stack_growth);
    auto reason = [](FaultDecision d) {
        EXPECT_EQ(d.action, FaultAction::kill);
        return d.kill_reason;
    };
    EXPECT_EQ(reason(decide(0, user)), cocoon::trace::kill_null_deref);
    EXPECT_EQ(reason(decide(0xfff, user | write)), cocoon::trace::kill_null_deref);
    EXPECT_EQ(reason(decide(0x400010, present | user | write)), cocoon::trace::kill_write_code);
    EXPECT_EQ(reason(decide(0x600000, present | user | fetch)), cocoon::trace::kill_exec_nx);
    EXPECT_EQ(reason(decide(0x600000, user | fetch)), cocoon::trace::kill_exec_nx);
    EXPECT_EQ(reason(decide(0xffffffff80100000, present | user)), cocoon::trace::kill_kernel_access);
    EXPECT_EQ(reason(decide(user_top, user)), cocoon::trace::kill_kernel_access);
    EXPECT_EQ(reason(decide(user_stack_lowest - 8, user | write)), cocoon::trace::kill_stack_guard);
    EXPECT_EQ(reason(decide(0x680000, user)), cocoon::trace::kill_unmapped);  // just past brk
    EXPECT_EQ(reason(decide(0x10000000, user)), cocoon::trace::kill_unmapped);
}

} // namespace
