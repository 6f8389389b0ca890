#include "vmm/gdb/breakpoints.h"

#include <algorithm>

namespace cocoon::vmm::gdb {
namespace {

constexpr uint64_t page_size = 4096;
constexpr uint8_t int3 = 0xcc;
constexpr int software_tag = 1;  // keeps a Z0's slot apart from a Z1 at the same address

} // namespace

Breakpoints::Result Breakpoints::insert_software(uint32_t vcpu, uint64_t address) {
    if (software_at(address) || hw_.contains(HwKind::execute, address, 1, software_tag)) return Result::ok;
    DebugSupport support = target_.debug_support();
    if (auto phys = support.software_breakpoints ? target_.translate(vcpu, address) : std::nullopt) {
        uint8_t original = 0;
        if (target_.read_physical(*phys, std::span(&original, 1)) &&
            target_.write_physical(*phys, std::span(&int3, 1))) {
            int3s_.push_back({address, *phys, original});
            return Result::ok;
        }
    }
    // No translation, or an int3 would not stop the guest: a slot needs neither.
    if (!support.hardware_breakpoints) return Result::unsupported;
    return hw_.insert(HwKind::execute, address, 1, software_tag) ? Result::ok : Result::no_room;
}

void Breakpoints::remove_software(uint64_t address) {
    hw_.remove(HwKind::execute, address, 1, software_tag);
    auto it = std::find_if(int3s_.begin(), int3s_.end(), [&](const Int3& b) { return b.virt == address; });
    if (it == int3s_.end()) return;
    // Put the byte back only if our int3 is still there: the frame may hold something
    // else by now (its process ended and the frame was reused).
    uint8_t current = 0;
    if (target_.read_physical(it->phys, std::span(&current, 1)) && current == int3)
        target_.write_physical(it->phys, std::span(&it->original, 1));
    int3s_.erase(it);
}

Breakpoints::Result Breakpoints::insert_hardware(HwKind kind, uint64_t address, uint64_t len) {
    if (!target_.debug_support().hardware_breakpoints) return Result::unsupported;
    return hw_.insert(kind, address, len) ? Result::ok : Result::no_room;
}

void Breakpoints::remove_hardware(HwKind kind, uint64_t address, uint64_t len) { hw_.remove(kind, address, len); }

void Breakpoints::remove_all() {
    while (!int3s_.empty()) remove_software(int3s_.back().virt);
    hw_.clear();
}

bool Breakpoints::software_at(uint64_t address) const {
    return std::any_of(int3s_.begin(), int3s_.end(), [&](const Int3& b) { return b.virt == address; });
}

std::optional<Breakpoints::Hit> Breakpoints::hit(uint64_t dr6) const {
    auto h = hw_.hit(dr6);
    if (!h) return std::nullopt;
    return Hit{h->kind, h->address, h->tag == software_tag};
}

std::vector<uint8_t> Breakpoints::read(uint32_t vcpu, uint64_t address, uint64_t len) {
    std::vector<uint8_t> out;
    while (len) {
        uint64_t chunk = std::min(len, page_size - address % page_size);
        auto phys = target_.translate(vcpu, address);
        if (!phys) break;
        std::vector<uint8_t> bytes(chunk);
        if (!target_.read_physical(*phys, bytes)) break;
        for (const Int3& b : int3s_)
            if (b.phys >= *phys && b.phys < *phys + chunk) bytes[b.phys - *phys] = b.original;
        out.insert(out.end(), bytes.begin(), bytes.end());
        address += chunk;
        len -= chunk;
    }
    return out;
}

bool Breakpoints::write(uint32_t vcpu, uint64_t address, std::span<const uint8_t> bytes) {
    while (!bytes.empty()) {
        uint64_t chunk = std::min<uint64_t>(bytes.size(), page_size - address % page_size);
        auto phys = target_.translate(vcpu, address);
        if (!phys || !target_.write_physical(*phys, bytes.first(chunk))) return false;
        for (Int3& b : int3s_) {
            if (b.phys < *phys || b.phys >= *phys + chunk) continue;
            b.original = bytes[b.phys - *phys];
            target_.write_physical(b.phys, std::span(&int3, 1));
        }
        address += chunk;
        bytes = bytes.subspan(chunk);
    }
    return true;
}

} // namespace cocoon::vmm::gdb
