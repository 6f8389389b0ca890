#include "kernel/mm/address_space.h"

#include "cocoon/syscalls.h"
#include "kernel/layout.h"
#include "kernel/mm/swap_space.h"

namespace kernel::mm {
namespace {

constexpr int levels = 4;
constexpr uint64_t kernel_half_first = 256;

int shift_of(int level) { return 39 - 9 * level; }  // level 0 = PML4
uint64_t index_of(uint64_t virt, int level) { return (virt >> shift_of(level)) & 511; }

// Intermediate tables allow everything; the leaf decides.
constexpr uint64_t table_flags = pte::present | pte::writable | pte::user;

} // namespace

ErrorOr<AddressSpace> AddressSpace::create(FrameAllocator& frames, PhysicalMemory& memory, uint64_t kernel_root,
                                           SwapSpace* swap) {
    uint64_t root = TRY(frames.allocate());
    auto* mine = memory.as<uint64_t>(root);
    auto* kernels = memory.as<uint64_t>(kernel_root);
    for (uint64_t i = kernel_half_first; i < 512; ++i) mine[i] = kernels[i];
    return AddressSpace(&frames, &memory, root, swap);
}

uint64_t* AddressSpace::entry(uint64_t table, uint64_t virt, int level) {
    return memory_->as<uint64_t>(table) + index_of(virt, level);
}

ErrorOr<void> AddressSpace::map(uint64_t virt, uint64_t frame, uint64_t flags) {
    uint64_t table = root_;
    for (int level = 0; level < levels - 1; ++level) {
        uint64_t* e = entry(table, virt, level);
        if (!(*e & pte::present)) {
            uint64_t next = TRY(frames_->allocate());
            ++table_pages_;
            *e = next | table_flags;
        }
        table = *e & pte::frame_mask;
    }
    uint64_t* e = entry(table, virt, levels - 1);
    if (*e) return Error{cocoon::sys::einval};  // mapped, or swapped out
    *e = (frame & pte::frame_mask) | flags | pte::present;
    if (++pages_ > peak_pages_) peak_pages_ = pages_;
    return {};
}

uint64_t* AddressSpace::leaf(uint64_t virt) {
    uint64_t table = root_;
    for (int level = 0; level < levels - 1; ++level) {
        uint64_t* e = entry(table, virt, level);
        if (!(*e & pte::present)) return nullptr;
        table = *e & pte::frame_mask;
    }
    return entry(table, virt, levels - 1);
}

uint64_t AddressSpace::translate(uint64_t virt) {
    uint64_t* e = leaf(virt);
    if (!e || !(*e & pte::present)) return 0;
    return (*e & pte::frame_mask) | (virt & 0xfff);
}

bool AddressSpace::protect(uint64_t virt, uint64_t flags) {
    uint64_t* e = leaf(virt);
    if (!e || !(*e & pte::present)) return false;
    *e = (*e & pte::frame_mask) | flags | pte::present;
    return true;
}

void AddressSpace::release_leaf(uint64_t& e) {
    release_swap(swap_, e);
    if (e & pte::present) frames_->free(e & pte::frame_mask);
    e = 0;
    --pages_;
}

bool AddressSpace::unmap(uint64_t virt) {
    uint64_t* e = leaf(virt);
    if (!e || !*e) return false;
    release_leaf(*e);
    return true;
}

uint64_t AddressSpace::unmap_range(uint64_t start, uint64_t end) {
    if (end > layout::user_top) end = layout::user_top;
    return start < end ? unmap_in(root_, 0, 0, start, end) : 0;
}

// The part of [start, end) that `table` (at `level`, covering from `base`) maps.
uint64_t AddressSpace::unmap_in(uint64_t table, int level, uint64_t base, uint64_t start, uint64_t end) {
    uint64_t span = 1ull << shift_of(level);
    auto* entries = memory_->as<uint64_t>(table);
    uint64_t removed = 0;
    for (uint64_t i = start > base ? (start - base) / span : 0; i < 512 && base + i * span < end; ++i) {
        uint64_t& e = entries[i];
        if (level == levels - 1) {
            if (e) release_leaf(e), ++removed;
            continue;
        }
        if (!(e & pte::present)) continue;
        uint64_t child = e & pte::frame_mask;
        removed += unmap_in(child, level + 1, base + i * span, start, end);
        auto* child_entries = memory_->as<uint64_t>(child);
        bool empty = true;
        for (int j = 0; j < 512 && empty; ++j) empty = child_entries[j] == 0;
        if (empty) {
            e = 0;
            frames_->free(child);
            --table_pages_;
        }
    }
    return removed;
}

uint64_t* AddressSpace::next_leaf(uint64_t& virt) {
    virt &= ~(layout::page_size - 1);
    while (virt < layout::user_top) {
        uint64_t table = root_;
        int level = 0;
        for (; level < levels - 1; ++level) {
            uint64_t* e = entry(table, virt, level);
            if (!(*e & pte::present)) break;
            table = *e & pte::frame_mask;
        }
        if (level < levels - 1) {  // no table here: skip all it would have covered
            uint64_t span = 1ull << shift_of(level);
            virt = (virt & ~(span - 1)) + span;
            continue;
        }
        uint64_t* e = entry(table, virt, levels - 1);
        if (*e) return e;
        virt += layout::page_size;
    }
    return nullptr;
}

void AddressSpace::free_table(uint64_t table, int level) {
    auto* entries = memory_->as<uint64_t>(table);
    for (uint64_t i = 0; i < 512; ++i) {
        uint64_t e = entries[i];
        if (level == levels - 1) {
            release_swap(swap_, e);  // a swapped-out page's slot, a resident one's copy
            if (e & pte::present) frames_->free(e & pte::frame_mask);
        } else if (e & pte::present) {
            free_table(e & pte::frame_mask, level + 1);
        }
    }
    frames_->free(table);
}

void AddressSpace::destroy() {
    if (!root_) return;
    auto* entries = memory_->as<uint64_t>(root_);
    for (uint64_t i = 0; i < kernel_half_first; ++i)
        if (entries[i] & pte::present) free_table(entries[i] & pte::frame_mask, 1);
    frames_->free(root_);
    root_ = 0;
    table_pages_ = 0;
    pages_ = 0;
}

} // namespace kernel::mm
