#include "vmm/introspect/page_walk.h"

#include <cstring>
#include <unordered_set>

namespace cocoon::vmm {
namespace {

constexpr int levels = 4;
constexpr uint64_t entries_per_table = 512;

// Bits of the virtual address each level translates: 39 (PML4), 30, 21, 12.
constexpr int shift_of(int level) { return 12 + 9 * (levels - 1 - level); }

uint64_t canonical(uint64_t virt) {
    return (virt & (1ull << 47)) ? (virt | 0xffff000000000000ull) : virt;
}

Rights combine(Rights above, uint64_t entry) {
    return Rights{
        .writable = above.writable && (entry & pte::writable),
        .user = above.user && (entry & pte::user),
        .executable = above.executable && !(entry & pte::no_execute),
    };
}

class Walker {
public:
    Walker(const GuestMemory& memory, const std::function<void(const Leaf&)>& visit)
        : memory_(memory), visit_(visit) {}

    void walk(uint64_t table, int level, uint64_t base, Rights rights) {
        if (!visited_.insert(table).second) {
            ++stats_.revisited;
            if (base < (1ull << 47)) ++stats_.user_revisited;
            return;
        }
        auto bytes = memory_.span(table, entries_per_table * sizeof(uint64_t));
        if (!bytes) {
            ++stats_.bad_tables;
            return;
        }
        ++stats_.table_pages;
        // The root, and what hangs below its lower half, belong to this process alone.
        if (level == 0 || base < (1ull << 47)) ++stats_.user_table_pages;
        for (uint64_t i = 0; i < entries_per_table; ++i) {
            // Read each entry once: the guest may be changing the table under us.
            uint64_t entry = 0;
            std::memcpy(&entry, bytes->data() + i * sizeof entry, sizeof entry);
            if (entry == 0) continue;
            uint64_t virt = base + (i << shift_of(level));
            uint64_t size = 1ull << shift_of(level);
            bool leaf_level = level == levels - 1;
            bool huge = (level == 1 || level == 2) && (entry & pte::huge);
            if (!(entry & pte::present)) {
                visit_(Leaf{canonical(virt), size, entry, false, 0, {}, false, false});
                continue;
            }
            Rights below = combine(rights, entry);
            if (leaf_level || huge) {
                uint64_t phys = entry & pte::frame_mask & ~(size - 1);
                visit_(Leaf{canonical(virt), size, entry, true, phys, below,
                            bool(entry & pte::accessed), bool(entry & pte::dirty)});
                continue;
            }
            walk(entry & pte::frame_mask, level + 1, virt, below);
        }
    }

    WalkStats stats() const { return stats_; }

private:
    const GuestMemory& memory_;
    const std::function<void(const Leaf&)>& visit_;
    std::unordered_set<uint64_t> visited_;
    WalkStats stats_;
};

} // namespace

WalkStats walk_page_tables(const GuestMemory& memory, uint64_t cr3,
                           const std::function<void(const Leaf&)>& visit) {
    Walker walker(memory, visit);
    walker.walk(cr3 & cr3_frame_mask, 0, 0, Rights{true, true, true});
    return walker.stats();
}

std::optional<Translation> translate(const GuestMemory& memory, uint64_t cr3, uint64_t virt) {
    uint64_t table = cr3 & cr3_frame_mask;
    Rights rights{true, true, true};
    for (int level = 0; level < levels; ++level) {
        uint64_t index = (virt >> shift_of(level)) & (entries_per_table - 1);
        auto entry = memory.read<uint64_t>(table + index * sizeof(uint64_t));
        if (!entry || !(*entry & pte::present)) return std::nullopt;
        rights = combine(rights, *entry);
        uint64_t size = 1ull << shift_of(level);
        bool huge = (level == 1 || level == 2) && (*entry & pte::huge);
        if (level == levels - 1 || huge) {
            uint64_t frame = *entry & pte::frame_mask & ~(size - 1);
            return Translation{frame + (virt & (size - 1)), size, rights};
        }
        table = *entry & pte::frame_mask;
    }
    return std::nullopt;
}

} // namespace cocoon::vmm
