#include "vmm/introspect/address_space_map.h"

#include <fmt/format.h>

#include "cocoon/swap_entry.h"

namespace cocoon::vmm {
namespace {

constexpr uint64_t page = 4096;

// The user half is laid out as the chapter draws it: code low, then data and heap
// growing up, the stack at the top growing down. Everything in the top quarter of the
// user half counts as stack.
RegionKind classify(const Leaf& leaf) {
    if (!leaf.present) return leaf.virt >= user_half_end / 4 * 3 ? RegionKind::stack : RegionKind::data;
    if (leaf.rights.executable) return RegionKind::code;
    if (leaf.virt >= user_half_end / 4 * 3) return RegionKind::stack;
    return leaf.rights.writable ? RegionKind::data : RegionKind::rodata;
}

bool same_rights(const Rights& a, const Rights& b) {
    return a.writable == b.writable && a.user == b.user && a.executable == b.executable;
}

void add_pages(Region& region, const Leaf& leaf) {
    uint64_t pages = leaf.size / page;
    if (!leaf.present) {
        (swap_entry::is_swapped(leaf.entry) ? region.swapped_pages : region.absent_pages) += pages;
        return;
    }
    region.present_pages += pages;
    if (region.kind == RegionKind::kernel) return;
    auto& runs = region.frames;
    if (!runs.empty() && runs.back().first + runs.back().pages * page == leaf.phys)
        runs.back().pages += pages;
    else
        runs.push_back(FrameRun{leaf.phys, pages});
}

// Exact in the largest unit that divides it ("8 KiB"), else to a tenth of the largest
// unit it reaches ("128.0 TiB": the kernel band spans unmapped space too).
std::string size_text(uint64_t bytes) {
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    uint64_t exact = bytes;
    while (exact >= 1024 && exact % 1024 == 0 && unit < 4) {
        exact /= 1024;
        ++unit;
    }
    if (exact < 1024 || unit == 4) return fmt::format("{} {}", exact, units[unit]);
    double value = static_cast<double>(bytes);
    for (unit = 0; value >= 1024 && unit < 4; ++unit) value /= 1024;
    return fmt::format("{:.1f} {}", value, units[unit]);
}

// "r-x": a present page is always readable.
std::string rwx_text(const Rights& rights) {
    return fmt::format("r{}{}", rights.writable ? 'w' : '-', rights.executable ? 'x' : '-');
}

std::string rights_text(const Region& r) {
    if (r.present_pages == 0) return "---";
    return rwx_text(r.rights) + (r.rights.user ? " user" : " kernel");
}

// Frames as ranges: "0x1a000-0x1bfff, 0x40000" (the first few, then how many more).
std::string frames_text(const std::vector<FrameRun>& runs) {
    constexpr size_t shown = 4;
    std::string out;
    for (size_t i = 0; i < runs.size() && i < shown; ++i) {
        out += fmt::format("{}{:#x}", out.empty() ? "" : ", ", runs[i].first);
        if (runs[i].pages > 1) out += fmt::format("-{:#x}", runs[i].first + runs[i].pages * page - 1);
    }
    if (runs.size() > shown) out += fmt::format(", ... ({} more runs)", runs.size() - shown);
    return out.empty() ? "-" : out;
}

} // namespace

const char* region_name(RegionKind kind) {
    switch (kind) {
    case RegionKind::code: return "code";
    case RegionKind::rodata: return "rodata";
    case RegionKind::data: return "data+heap";
    case RegionKind::stack: return "stack";
    case RegionKind::kernel: return "kernel";
    }
    return "?";
}

std::string describe_page(const GuestMemory& memory, uint64_t cr3, uint64_t virt) {
    auto page = translate(memory, cr3, virt);
    if (!page) return "not mapped";
    if (!page->rights.user) return "kernel page";
    RegionKind kind = classify(Leaf{virt, page->page_size, 0, true, page->phys, page->rights, false, false});
    return fmt::format("{} page {}", kind == RegionKind::data ? "data" : region_name(kind), rwx_text(page->rights));
}

AddressSpaceMap group_leaves(const std::vector<Leaf>& leaves) {
    AddressSpaceMap map;
    bool kernel_seen = false;
    for (const Leaf& leaf : leaves) {
        if (leaf.virt >= user_half_end) {
            if (!kernel_seen) map.kernel.start = leaf.virt;
            kernel_seen = true;
            map.kernel.last = leaf.virt + (leaf.size - 1);
            add_pages(map.kernel, leaf);
            if (leaf.present) {
                uint64_t& pages = leaf.rights.writable ? (leaf.rights.executable ? map.kernel_rwx : map.kernel_rw)
                                                       : (leaf.rights.executable ? map.kernel_rx : map.kernel_r);
                pages += leaf.size / page;
            }
            continue;
        }
        RegionKind kind = classify(leaf);
        Region* last = map.user.empty() ? nullptr : &map.user.back();
        bool extends = last && last->last + 1 == leaf.virt && last->kind == kind &&
                       (!leaf.present || last->present_pages == 0 || same_rights(last->rights, leaf.rights));
        if (!extends) {
            map.user.push_back(Region{kind, leaf.virt, leaf.virt, leaf.rights, 0, 0, 0, {}});
            last = &map.user.back();
        }
        if (leaf.present) last->rights = leaf.rights;
        last->last = leaf.virt + (leaf.size - 1);
        add_pages(*last, leaf);
    }
    return map;
}

AddressSpaceMap map_address_space(const GuestMemory& memory, uint64_t cr3, std::string name) {
    std::vector<Leaf> leaves;
    WalkStats stats = walk_page_tables(memory, cr3, [&](const Leaf& leaf) { leaves.push_back(leaf); });
    AddressSpaceMap map = group_leaves(leaves);
    map.name = std::move(name);
    map.cr3 = cr3;
    map.walk = stats;
    return map;
}

std::string format_map(const AddressSpaceMap& map) {
    std::string out = fmt::format("address space of {} (cr3 {:#x})\n", map.name, map.cr3);
    out += fmt::format("  {:<10} {:<18} {:<18} {:>9}  {:<11} {:>7} {:>7} {:>6}  {}\n", "region", "start", "last",
                       "size", "rights", "present", "swapped", "absent", "frames");
    for (const Region& r : map.user)
        out += fmt::format("  {:<10} {:#018x} {:#018x} {:>9}  {:<11} {:>7} {:>7} {:>6}  {}\n", region_name(r.kind),
                           r.start, r.last, size_text(r.last - r.start + 1), rights_text(r), r.present_pages,
                           r.swapped_pages, r.absent_pages, frames_text(r.frames));
    if (map.kernel.present_pages + map.kernel.absent_pages > 0)
        out += fmt::format("  {:<10} {:#018x} {:#018x} {:>9}  {:<11} {:>7} {:>7} {:>6}  (shared by every process; "
                           "pages r-x {}, r-- {}, rw- {}, rwx {})\n",
                           "kernel", map.kernel.start, map.kernel.last, size_text(map.kernel.last - map.kernel.start + 1),
                           "supervisor", map.kernel.present_pages, map.kernel.swapped_pages, map.kernel.absent_pages,
                           map.kernel_rx, map.kernel_r, map.kernel_rw, map.kernel_rwx);
    out += fmt::format("  page-table pages: {} ({} of its own: the root and the user half's)", map.walk.table_pages,
                       map.walk.user_table_pages);
    // A kernel may reach one table from two windows of its half (cocoon's boot tables do,
    // until the kernel maps its image with tables of its own); in the user half it is not.
    if (uint64_t kernel_shared = map.walk.revisited - map.walk.user_revisited)
        out += fmt::format("; the kernel half reaches {} of them twice (a directory shared by two windows)", kernel_shared);
    if (map.walk.user_revisited)
        out += fmt::format("; {} user-half entries lead to a table already walked (shared or looping)",
                           map.walk.user_revisited);
    if (map.walk.bad_tables) out += fmt::format("; {} entries point outside RAM", map.walk.bad_tables);
    return out + "\n";
}

} // namespace cocoon::vmm
