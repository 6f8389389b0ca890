#include "vmm/introspect/page_walk.h"

#include <vector>

#include <gtest/gtest.h>

using namespace cocoon::vmm;

namespace {

// Builds page tables by hand in a small guest RAM, one frame at a time.
class Tables {
public:
    Tables() : mem(64 * 4096) {}
    uint64_t table() { return next_ += 4096; }
    void set(uint64_t table, uint64_t index, uint64_t entry) {
        ASSERT_TRUE(mem.write<uint64_t>(table + index * 8, entry));
    }
    std::vector<Leaf> leaves(uint64_t cr3, WalkStats* stats = nullptr) {
        std::vector<Leaf> out;
        WalkStats s = walk_page_tables(mem, cr3, [&](const Leaf& l) { out.push_back(l); });
        if (stats) *stats = s;
        return out;
    }
    GuestMemory mem;

private:
    uint64_t next_ = 0;
};

constexpr uint64_t P = pte::present, W = pte::writable, U = pte::user;

TEST(PageWalk, FourKilobytePageWithRightsCombinedOverLevels) {
    Tables t;
    uint64_t pml4 = t.table(), pdpt = t.table(), pd = t.table(), pt = t.table();
    t.set(pml4, 0, pdpt | P | W | U);
    t.set(pdpt, 0, pd | P | W | U);
    t.set(pd, 2, pt | P | U);                         // not writable at the PD level
    t.set(pt, 0x10, 0x30000 | P | W | U | pte::no_execute | pte::accessed);
    WalkStats stats;
    auto leaves = t.leaves(pml4, &stats);
    ASSERT_EQ(leaves.size(), 1u);
    EXPECT_EQ(leaves[0].virt, (2ull << 21) + (0x10ull << 12));
    EXPECT_EQ(leaves[0].phys, 0x30000u);
    EXPECT_EQ(leaves[0].size, 4096u);
    EXPECT_TRUE(leaves[0].present);
    EXPECT_FALSE(leaves[0].rights.writable);
    EXPECT_TRUE(leaves[0].rights.user);
    EXPECT_FALSE(leaves[0].rights.executable);
    EXPECT_TRUE(leaves[0].accessed);
    EXPECT_FALSE(leaves[0].dirty);
    EXPECT_EQ(stats.table_pages, 4u);

    auto tr = translate(t.mem, pml4, leaves[0].virt + 0x123);
    ASSERT_TRUE(tr);
    EXPECT_EQ(tr->phys, 0x30123u);
    EXPECT_FALSE(translate(t.mem, pml4, leaves[0].virt + 4096));
}

TEST(PageWalk, HugePagesAndTheUpperHalf) {
    Tables t;
    uint64_t pml4 = t.table(), pdpt = t.table(), pd = t.table();
    t.set(pml4, 511, pdpt | P | W);
    t.set(pdpt, 510, pd | P | W);
    t.set(pd, 1, 0x200000 | P | W | pte::huge);       // 2 MiB
    t.set(pdpt, 3, 0x40000000 | P | pte::huge);        // 1 GiB
    auto leaves = t.leaves(pml4 | 0x5 /* PCID bits are ignored */);
    ASSERT_EQ(leaves.size(), 2u);
    EXPECT_EQ(leaves[0].virt, 0xffffff80c0000000ull);
    EXPECT_EQ(leaves[0].size, 1ull << 30);
    EXPECT_EQ(leaves[1].virt, 0xffffffff80200000ull);
    EXPECT_EQ(leaves[1].size, 2ull << 20);
    EXPECT_EQ(leaves[1].phys, 0x200000u);
    EXPECT_FALSE(leaves[1].rights.user);
    auto tr = translate(t.mem, pml4, 0xffffffff80212345ull);
    ASSERT_TRUE(tr);
    EXPECT_EQ(tr->phys, 0x212345u);
    EXPECT_EQ(tr->page_size, 2ull << 20);
}

TEST(PageWalk, NotPresentNonZeroEntriesAreReported) {
    Tables t;
    uint64_t pml4 = t.table(), pdpt = t.table(), pd = t.table(), pt = t.table();
    t.set(pml4, 0, pdpt | P | W | U);
    t.set(pdpt, 0, pd | P | W | U);
    t.set(pd, 0, pt | P | W | U);
    t.set(pt, 5, 0x7700);                              // e.g. a swap slot
    auto leaves = t.leaves(pml4);
    ASSERT_EQ(leaves.size(), 1u);
    EXPECT_FALSE(leaves[0].present);
    EXPECT_EQ(leaves[0].entry, 0x7700u);
    EXPECT_EQ(leaves[0].virt, 5u * 4096);
}

TEST(PageWalk, MalformedTablesAreWalkedSafely) {
    Tables t;
    uint64_t pml4 = t.table(), pdpt = t.table();
    t.set(pml4, 0, pml4 | P | W);                      // a loop back to the root
    t.set(pml4, 1, 0x7ffffff000ull | P);               // a table far outside RAM
    t.set(pml4, 2, pdpt | P);
    t.set(pml4, 3, pdpt | P);                          // the same table twice
    t.set(pdpt, 0, 0xfffffffffffff000ull | P);         // outside RAM again
    WalkStats stats;
    auto leaves = t.leaves(pml4, &stats);
    EXPECT_TRUE(leaves.empty());
    EXPECT_EQ(stats.table_pages, 2u);
    EXPECT_EQ(stats.bad_tables, 2u);
    EXPECT_EQ(stats.revisited, 2u);
    EXPECT_EQ(stats.user_revisited, 2u);               // both under the user half
    EXPECT_FALSE(translate(t.mem, pml4, 1ull << 39));
    WalkStats outside = walk_page_tables(t.mem, 1ull << 40, [](const Leaf&) { FAIL(); });
    EXPECT_EQ(outside.bad_tables, 1u);
}

} // namespace
