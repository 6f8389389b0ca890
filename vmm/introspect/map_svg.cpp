#include "vmm/introspect/map_svg.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "vmm/svg/xml_escape.h"

namespace cocoon::vmm {
namespace {

constexpr double bar_x = 40, bar_w = 170, top = 70, bar_h = 640;
constexpr double label_x = bar_x + bar_w + 40, label_gap = 30;
constexpr double kernel_gap = 24, kernel_h = 44;

// A block of the bar: a region, or the unmapped space between two.
struct Block {
    uint64_t start, last;
    const Region* region;  // nullptr: unmapped
};

// 4 KiB is one unit of height; 128 TiB is 36.
double units_of(const Block& b) { return std::log2(double(b.last - b.start) + 1.0) - 11.0; }

const char* fill_of(RegionKind kind) {
    switch (kind) {
    case RegionKind::code: return "#8ecae6";
    case RegionKind::rodata: return "#bde0fe";
    case RegionKind::data: return "#95d5b2";
    case RegionKind::stack: return "#ffd6a5";
    case RegionKind::kernel: return "#adb5bd";
    }
    return "#ffffff";
}

std::string size_text(uint64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double value = double(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 5) {
        value /= 1024;
        ++unit;
    }
    return value == std::floor(value) ? fmt::format("{:.0f} {}", value, units[unit])
                                      : fmt::format("{:.1f} {}", value, units[unit]);
}

std::string detail_of(const Region& r) {
    std::string rights = r.present_pages == 0
                             ? "not present"
                             : fmt::format("r{}{}", r.rights.writable ? 'w' : '-', r.rights.executable ? 'x' : '-');
    std::string out = fmt::format("{} · {} · {} present", size_text(r.last - r.start + 1), rights, r.present_pages);
    if (r.swapped_pages) out += fmt::format(", {} swapped out", r.swapped_pages);
    if (r.absent_pages) out += fmt::format(", {} other not present", r.absent_pages);
    if (!r.frames.empty()) out += fmt::format(" · frames from {:#x}", r.frames.front().first);
    return out;
}

std::vector<Block> blocks_of(const AddressSpaceMap& map) {
    std::vector<Block> blocks;
    uint64_t at = 0;
    for (const Region& r : map.user) {
        if (r.start > at) blocks.push_back({at, r.start - 1, nullptr});
        blocks.push_back({r.start, r.last, &r});
        at = r.last + 1;
    }
    if (at < user_half_end) blocks.push_back({at, user_half_end - 1, nullptr});
    return blocks;
}

} // namespace

std::string render_map_svg(const AddressSpaceMap& map) {
    std::vector<Block> blocks = blocks_of(map);
    double total_units = 0;
    for (const Block& b : blocks) total_units += units_of(b);
    const double unit_h = bar_h / total_units;
    const double kernel_y = top + bar_h + kernel_gap;
    const double height = kernel_y + kernel_h + 30;

    std::string svg = fmt::format(
        "<svg xmlns='http://www.w3.org/2000/svg' width='720' height='{:.0f}' font-family='sans-serif' "
        "font-size='12'>\n<style>.label{{fill:#222}} .small{{fill:#555;font-size:11px}}</style>\n"
        "<rect width='100%' height='100%' fill='white'/>\n"
        "<text x='20' y='28' font-size='16' font-weight='bold'>{}</text>\n"
        "<text x='20' y='48' class='small'>cr3 {:#x} · {} page-table pages of its own ({} with the kernel's) · "
        "heights: log2 of each block's size</text>\n",
        height, xml_escape(map.name), map.cr3, map.walk.user_table_pages, map.walk.table_pages);

    double y = top, next_label = top + 10;
    for (const Block& b : blocks) {
        double h = units_of(b) * unit_h;
        bool mapped = b.region != nullptr;
        svg += fmt::format("<rect x='{}' y='{:.1f}' width='{}' height='{:.1f}' fill='{}' stroke='#333'/>\n", bar_x,
                           y, bar_w, h, mapped ? fill_of(b.region->kind) : "#f4f4f4");
        if (mapped) {
            double label_y = std::max(next_label, y + h / 2);
            next_label = label_y + label_gap;
            svg += fmt::format(
                "<text x='{}' y='{:.1f}' text-anchor='middle' class='label'>{}</text>\n"
                "<line x1='{}' y1='{:.1f}' x2='{}' y2='{:.1f}' stroke='#999'/>\n"
                "<text x='{}' y='{:.1f}' class='label'><tspan font-weight='bold'>{}</tspan> {:#x}–{:#x}</text>\n"
                "<text x='{}' y='{:.1f}' class='small'>{}</text>\n",
                bar_x + bar_w / 2, y + h / 2 + 4, region_name(b.region->kind), bar_x + bar_w, y + h / 2,
                label_x - 4, label_y - 4, label_x, label_y, region_name(b.region->kind), b.start, b.last, label_x,
                label_y + 13, detail_of(*b.region));
        } else if (h >= 14) {
            svg += fmt::format("<text x='{}' y='{:.1f}' text-anchor='middle' class='small'>unmapped · {}</text>\n",
                               bar_x + bar_w / 2, y + h / 2 + 4, size_text(b.last - b.start + 1));
        }
        y += h;
    }

    svg += fmt::format("<rect x='{}' y='{}' width='{}' height='{}' fill='{}' stroke='#333'/>\n"
                       "<text x='{}' y='{:.1f}' text-anchor='middle' class='label'>kernel half</text>\n"
                       "<text x='{}' y='{:.1f}' class='label'><tspan font-weight='bold'>kernel</tspan> "
                       "{:#x}–{:#x}</text>\n<text x='{}' y='{:.1f}' class='small'>supervisor only, the same in every "
                       "process · {} pages mapped</text>\n</svg>\n",
                       bar_x, kernel_y, bar_w, kernel_h, fill_of(RegionKind::kernel), bar_x + bar_w / 2,
                       kernel_y + kernel_h / 2 + 4, label_x, kernel_y + 18, map.kernel.start, map.kernel.last,
                       label_x, kernel_y + 31, map.kernel.present_pages);
    return svg;
}

} // namespace cocoon::vmm
