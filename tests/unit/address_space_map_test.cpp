#include "vmm/introspect/address_space_map.h"
#include "vmm/introspect/map_svg.h"

#include <gtest/gtest.h>

#include "cocoon/swap_entry.h"

using namespace cocoon::vmm;

namespace {

constexpr uint64_t P = pte::present, W = pte::writable, U = pte::user, NX = pte::no_execute;

// A process as the kernel lays it out: code at 4 MiB, heap above it (one page swapped
// out), the stack at the top of the user half, and a kernel half of 2 MiB pages.
struct ProcessTables {
    GuestMemory mem{256 * 4096};
    uint64_t next = 0;
    uint64_t table() { return next += 4096; }
    void set(uint64_t t, uint64_t i, uint64_t e) { ASSERT_TRUE(mem.write<uint64_t>(t + i * 8, e)); }

    uint64_t build() {
        uint64_t pml4 = table();
        uint64_t low_pdpt = table(), low_pd = table(), code_pt = table(), heap_pt = table();
        set(pml4, 0, low_pdpt | P | W | U);
        set(low_pdpt, 0, low_pd | P | W | U);
        set(low_pd, 2, code_pt | P | W | U);                       // 4 MiB
        set(low_pd, 3, heap_pt | P | W | U);                       // 6 MiB
        set(code_pt, 0, 0x100000 | P | U);
        set(code_pt, 1, 0x101000 | P | U);
        set(heap_pt, 0, 0x200000 | P | W | U | NX);
        set(heap_pt, 1, 5 << 12 | cocoon::swap_entry::marker | W | U);  // swapped out to slot 5
        set(heap_pt, 2, 0x202000 | P | W | U | NX);
        set(heap_pt, 3, 1 << 11);                                  // other kernel bookkeeping
        uint64_t hi_pdpt = table(), hi_pd = table(), stack_pt = table();
        set(pml4, 255, hi_pdpt | P | W | U);
        set(hi_pdpt, 511, hi_pd | P | W | U);
        set(hi_pd, 511, stack_pt | P | W | U);
        set(stack_pt, 510, 0x300000 | P | W | U | NX);
        set(stack_pt, 511, 0x301000 | P | W | U | NX);
        uint64_t k_pdpt = table(), k_pd = table();
        set(pml4, 511, k_pdpt | P | W);
        set(k_pdpt, 510, k_pd | P | W);
        set(k_pd, 0, 0x0 | P | W | pte::huge);
        set(k_pd, 1, 0x200000 | P | W | pte::huge | NX);
        return pml4;
    }
};

TEST(AddressSpaceMap, RegionsFollowTheLayout) {
    ProcessTables t;
    uint64_t cr3 = t.build();
    AddressSpaceMap map = map_address_space(t.mem, cr3, "transparency#3");
    ASSERT_EQ(map.user.size(), 3u);

    EXPECT_EQ(map.user[0].kind, RegionKind::code);
    EXPECT_EQ(map.user[0].start, 0x400000u);
    EXPECT_EQ(map.user[0].last, 0x401fffu);
    EXPECT_FALSE(map.user[0].rights.writable);
    EXPECT_EQ(map.user[0].frames, (std::vector<FrameRun>{{0x100000, 2}}));

    EXPECT_EQ(map.user[1].kind, RegionKind::data);
    EXPECT_EQ(map.user[1].start, 0x600000u);
    EXPECT_EQ(map.user[1].last, 0x603fffu);
    EXPECT_EQ(map.user[1].present_pages, 2u);
    EXPECT_EQ(map.user[1].swapped_pages, 1u);
    EXPECT_EQ(map.user[1].absent_pages, 1u);
    EXPECT_EQ(map.user[1].frames, (std::vector<FrameRun>{{0x200000, 1}, {0x202000, 1}}));

    EXPECT_EQ(map.user[2].kind, RegionKind::stack);
    EXPECT_EQ(map.user[2].last, 0x7fffffffffffull);
    EXPECT_EQ(map.user[2].present_pages, 2u);

    EXPECT_EQ(map.kernel.start, 0xffffffff80000000ull);
    EXPECT_EQ(map.kernel.last, 0xffffffff803fffffull);
    EXPECT_EQ(map.kernel.present_pages, 1024u);
    // Its two 2 MiB pages by rights: one writable and executable, one writable only.
    EXPECT_EQ(map.kernel_rwx, 512u);
    EXPECT_EQ(map.kernel_rw, 512u);
    EXPECT_EQ(map.kernel_rx + map.kernel_r, 0u);
    EXPECT_EQ(map.walk.table_pages, 10u);
    EXPECT_EQ(map.walk.user_table_pages, 8u);  // the root and the user half's, not the kernel's two
}

TEST(AddressSpaceMap, TextNamesEveryRegionWithRightsAndFrames) {
    ProcessTables t;
    std::string text = format_map(map_address_space(t.mem, t.build(), "spin#4"));
    EXPECT_NE(text.find("address space of spin#4"), std::string::npos) << text;
    EXPECT_NE(text.find("code       0x0000000000400000 0x0000000000401fff     8 KiB  r-x user"), std::string::npos) << text;
    EXPECT_NE(text.find("0x100000-0x101fff"), std::string::npos) << text;
    EXPECT_NE(text.find("data+heap"), std::string::npos) << text;
    EXPECT_NE(text.find("rw- user"), std::string::npos) << text;
    EXPECT_NE(text.find("stack"), std::string::npos) << text;
    EXPECT_NE(text.find("supervisor"), std::string::npos) << text;
    EXPECT_NE(text.find("pages r-x 0, r-- 0, rw- 512, rwx 512)"), std::string::npos) << text;
    EXPECT_NE(text.find("data+heap  0x0000000000600000 0x0000000000603fff    16 KiB  rw- user          2       1      1"),
              std::string::npos) << text;  // present, swapped out, other not-present
    EXPECT_NE(text.find("page-table pages: 10 (8 of its own"), std::string::npos) << text;
}

// A kernel may reach one directory from two windows (cocoon's boot tables do): by design.
// A user-half table reached twice would let two ranges alias one another: flagged.
TEST(AddressSpaceMap, TextTellsASharedKernelDirectoryFromASharedUserTable) {
    ProcessTables t;
    uint64_t pml4 = t.build();
    std::string text = format_map(map_address_space(t.mem, pml4, "p#1"));
    EXPECT_EQ(text.find("twice"), std::string::npos) << text;
    EXPECT_EQ(text.find("already walked"), std::string::npos) << text;

    uint64_t k_pdpt = *t.mem.read<uint64_t>(pml4 + 511 * 8) & pte::frame_mask;
    uint64_t k_pd = *t.mem.read<uint64_t>(k_pdpt + 510 * 8) & pte::frame_mask;
    t.set(k_pdpt, 2, k_pd | P | W);
    text = format_map(map_address_space(t.mem, pml4, "p#1"));
    EXPECT_NE(text.find("the kernel half reaches 1 of them twice"), std::string::npos) << text;
    EXPECT_EQ(text.find("already walked"), std::string::npos) << text;

    uint64_t low_pd = *t.mem.read<uint64_t>((*t.mem.read<uint64_t>(pml4) & pte::frame_mask)) & pte::frame_mask;
    t.set(low_pd, 9, *t.mem.read<uint64_t>(low_pd + 2 * 8));  // the code's table again, 14 MiB up
    text = format_map(map_address_space(t.mem, pml4, "p#1"));
    EXPECT_NE(text.find("1 user-half entries lead to a table already walked"), std::string::npos) << text;
}

TEST(AddressSpaceMap, DescribePageSaysWhatTheMmuSeesAtAnAddress) {
    ProcessTables t;
    uint64_t cr3 = t.build();
    EXPECT_EQ(describe_page(t.mem, cr3, 0x400010), "code page r-x");
    EXPECT_EQ(describe_page(t.mem, cr3, 0x600008), "data page rw-");
    EXPECT_EQ(describe_page(t.mem, cr3, 0x7ffffffff000 - 1), "stack page rw-");
    EXPECT_EQ(describe_page(t.mem, cr3, 0x601000), "not mapped");  // swapped out
    EXPECT_EQ(describe_page(t.mem, cr3, 0), "not mapped");
    EXPECT_EQ(describe_page(t.mem, cr3, 0xffffffff80000000ull), "kernel page");
    EXPECT_EQ(describe_page(t.mem, 1ull << 40, 0x400000), "not mapped");  // a root outside RAM
}

TEST(AddressSpaceMap, SvgDrawsEachRegionAndTheKernelBand) {
    ProcessTables t;
    std::string svg = render_map_svg(map_address_space(t.mem, t.build(), "a<b>&c"));
    EXPECT_EQ(svg.rfind("<svg ", 0), 0u);
    EXPECT_NE(svg.find("</svg>\n"), std::string::npos);
    EXPECT_NE(svg.find("a&lt;b&gt;&amp;c"), std::string::npos);
    size_t rects = 0;
    for (size_t at = svg.find("<rect"); at != std::string::npos; at = svg.find("<rect", at + 1)) ++rects;
    EXPECT_EQ(rects, 2u /* background, kernel */ + 3u /* regions */ + 3u /* unmapped gaps */);
    for (const char* name : {">code<", ">data+heap<", ">stack<", ">kernel<"})
        EXPECT_NE(svg.find(name), std::string::npos) << name;
}

TEST(AddressSpaceMap, EmptyTablesGiveAnEmptyMap) {
    GuestMemory mem(8 * 4096);
    AddressSpaceMap map = map_address_space(mem, 0x1000, "empty");
    EXPECT_TRUE(map.user.empty());
    EXPECT_EQ(map.walk.table_pages, 1u);
    EXPECT_EQ(format_map(map).find("kernel "), std::string::npos);
}

} // namespace
