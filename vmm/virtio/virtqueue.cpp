#include "vmm/virtio/virtqueue.h"

#include <atomic>

#include <fmt/format.h>

#include "cocoon/virtio.h"

namespace cocoon::vmm {

using namespace cocoon::virtio;

namespace {

// The rings are shared with a driver running on another CPU: index loads acquire what
// the driver published before them; the used index is stored with release.
uint16_t load_acquire(std::span<uint8_t> at) {
    return std::atomic_ref<uint16_t>(*reinterpret_cast<uint16_t*>(at.data())).load(std::memory_order_acquire);
}

void store_release(std::span<uint8_t> at, uint16_t value) {
    std::atomic_ref<uint16_t>(*reinterpret_cast<uint16_t*>(at.data())).store(value, std::memory_order_release);
}

} // namespace

std::string Virtqueue::activate(const QueueLayout& layout) {
    reset();
    uint16_t n = layout.size;
    if (n == 0 || n > max_size_ || (n & (n - 1))) return fmt::format("queue size {} is not a power of two up to {}", n, max_size_);
    if (!memory_.span(layout.desc, uint64_t{n} * sizeof(Descriptor)))
        return fmt::format("descriptor table at {:#x} is outside RAM", layout.desc);
    if (!memory_.span(layout.avail, avail_ring_offset + uint64_t{n} * 2 + 2))
        return fmt::format("available ring at {:#x} is outside RAM", layout.avail);
    if (!memory_.span(layout.used, used_ring_offset + uint64_t{n} * sizeof(UsedElem) + 2))
        return fmt::format("used ring at {:#x} is outside RAM", layout.used);
    if (layout.desc % 16 || layout.avail % 2 || layout.used % 4) return "rings are not aligned as virtio requires";
    layout_ = layout;
    active_ = true;
    return {};
}

void Virtqueue::reset() {
    active_ = false;
    layout_ = {};
    next_avail_ = next_used_ = 0;
    broken_.clear();
}

void Virtqueue::fail(std::string why) {
    broken_ = std::move(why);
    active_ = false;
}

bool Virtqueue::interrupt_suppressed() const {
    if (!active_) return false;
    auto flags = memory_.read<uint16_t>(layout_.avail);
    return flags && (*flags & avail_no_interrupt);
}

std::optional<DescriptorChain> Virtqueue::pop() {
    if (!active_) return std::nullopt;
    uint16_t avail_idx = load_acquire(*memory_.span(layout_.avail + 2, 2));
    uint16_t pending = static_cast<uint16_t>(avail_idx - next_avail_);
    if (pending == 0) return std::nullopt;
    if (pending > layout_.size) {
        fail(fmt::format("available index {} is {} ahead of the device, more than the queue's {}", avail_idx, pending,
                         layout_.size));
        return std::nullopt;
    }
    uint64_t slot = layout_.avail + avail_ring_offset + uint64_t{next_avail_} % layout_.size * 2;
    ++next_avail_;
    DescriptorChain chain;
    chain.head = *memory_.read<uint16_t>(slot);
    if (chain.head >= layout_.size) {
        // No descriptor to return it in: the ring is beyond repair.
        fail(fmt::format("available ring names descriptor {} of a {}-entry table", chain.head, layout_.size));
        return std::nullopt;
    }
    walk(chain, layout_.desc, layout_.size, chain.head, false);
    if (!chain.error.empty()) chain.segments.clear();
    return chain;
}

// Follows a chain through `table` (`count` entries). Direct chains may hand over to one
// indirect table; an indirect table's entries may not be indirect again (2.7.5.3.1).
void Virtqueue::walk(DescriptorChain& chain, uint64_t table, uint32_t count, uint16_t first, bool indirect) {
    uint16_t index = first;
    for (uint32_t visited = 0;; ++visited) {
        if (visited == count) {
            chain.error = fmt::format("descriptor chain from {} loops (more than {} descriptors)", chain.head, count);
            return;
        }
        auto d = memory_.read<Descriptor>(table + uint64_t{index} * sizeof(Descriptor));
        if (!d) {
            chain.error = fmt::format("descriptor {} is outside RAM", index);
            return;
        }
        if (d->flags & desc_indirect) {
            if (indirect) {
                chain.error = "an indirect table names another indirect table";
                return;
            }
            if (d->flags & desc_next) {
                chain.error = "an indirect descriptor also has NEXT set";
                return;
            }
            if (d->len == 0 || d->len % sizeof(Descriptor) || d->len / sizeof(Descriptor) > 0xffff) {
                chain.error = fmt::format("indirect table of {} bytes is not a whole number of descriptors", d->len);
                return;
            }
            if (!memory_.span(d->addr, d->len)) {
                chain.error = fmt::format("indirect table at {:#x}+{:#x} is outside RAM", d->addr, d->len);
                return;
            }
            walk(chain, d->addr, d->len / sizeof(Descriptor), 0, true);
            return;
        }
        auto bytes = memory_.span(d->addr, d->len);
        if (!bytes) {
            chain.error = fmt::format("buffer at {:#x}+{:#x} is outside RAM", d->addr, d->len);
            return;
        }
        bool writable = d->flags & desc_write;
        if (!writable && !chain.segments.empty() && chain.segments.back().device_writable) {
            chain.error = "a device-readable buffer follows a device-writable one";
            return;
        }
        chain.segments.push_back({*bytes, writable});
        if (!(d->flags & desc_next)) return;
        if (d->next >= count) {
            chain.error = fmt::format("descriptor {} points past the table to {}", index, d->next);
            return;
        }
        index = d->next;
    }
}

void Virtqueue::push_used(uint16_t head, uint32_t written) {
    if (!active_) return;
    uint64_t slot = layout_.used + used_ring_offset + uint64_t{next_used_} % layout_.size * sizeof(UsedElem);
    memory_.write(slot, UsedElem{head, written});
    ++next_used_;
    store_release(*memory_.span(layout_.used + 2, 2), next_used_);
}

} // namespace cocoon::vmm
