#include "vmm/bus/bus.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace cocoon::vmm {
namespace {
// A guest that probes the whole port space must not grow this set without bound.
constexpr size_t max_logged = 256;
} // namespace

void Bus::add(uint64_t base, uint64_t size, Device& device) {
    if (size == 0 || base + size < base) throw std::invalid_argument(fmt::format("{} bus: empty or wrapping range", name_));
    auto next = ranges_.lower_bound(base);
    if (next != ranges_.end() && next->first < base + size)
        throw std::invalid_argument(fmt::format("{} bus: {:#x}+{:#x} overlaps a device at {:#x}", name_, base, size,
                                                next->first));
    if (next != ranges_.begin()) {
        auto prev = std::prev(next);
        if (prev->first + prev->second.size > base)
            throw std::invalid_argument(fmt::format("{} bus: {:#x}+{:#x} overlaps a device at {:#x}", name_, base,
                                                    size, prev->first));
    }
    ranges_.emplace(base, Range{size, &device});
}

const std::pair<const uint64_t, Bus::Range>* Bus::find(uint64_t address) const {
    auto it = ranges_.upper_bound(address);
    if (it == ranges_.begin()) return nullptr;
    --it;
    return address - it->first < it->second.size ? &*it : nullptr;
}

bool Bus::read(uint64_t address, std::span<uint8_t> data) {
    if (auto* hit = find(address)) {
        hit->second.device->read(address - hit->first, data);
        return true;
    }
    std::fill(data.begin(), data.end(), 0xff);
    log_unclaimed(address, data.size(), false);
    return false;
}

bool Bus::write(uint64_t address, std::span<const uint8_t> data) {
    if (auto* hit = find(address)) {
        hit->second.device->write(address - hit->first, data);
        return true;
    }
    log_unclaimed(address, data.size(), true);
    return false;
}

uint64_t Bus::unclaimed_accesses() const {
    std::lock_guard lock(unclaimed_mutex_);
    return unclaimed_;
}

void Bus::log_unclaimed(uint64_t address, size_t size, bool write) {
    std::lock_guard lock(unclaimed_mutex_);
    ++unclaimed_;
    if (logged_.size() >= max_logged || !logged_.insert(address).second) return;
    spdlog::warn("unclaimed {} {} of {} byte{} at {:#x}{}", name_, write ? "write" : "read", size,
                 size == 1 ? "" : "s", address,
                 logged_.size() == max_logged ? " (further unclaimed addresses not logged)" : "");
}

} // namespace cocoon::vmm
