#include "vmm/gdb/debug_registers.h"

#include <vector>

namespace cocoon::vmm::gdb {
namespace {

// DR7 fields per slot i: enable at bit 2i+1 (global), R/W at 16+4i, LEN at 18+4i.
constexpr uint64_t dr7_fixed = 0x400;       // bit 10 reads as one
constexpr uint64_t dr7_exact = 1ull << 9;   // GE: exact data breakpoints (advice; harmless)

uint64_t rw_bits(HwKind kind) {
    switch (kind) {
    case HwKind::execute: return 0b00;
    case HwKind::write: return 0b01;
    case HwKind::access: return 0b11;
    }
    return 0;
}

uint64_t len_bits(uint64_t size) {
    switch (size) {
    case 2: return 0b01;
    case 4: return 0b11;
    case 8: return 0b10;
    default: return 0b00;
    }
}

struct Piece {
    uint64_t address, size;
};

// The aligned pieces covering [address, address + len): the largest of 8, 4, 2, 1
// that is aligned at each point and does not run past the end.
std::vector<Piece> split(uint64_t address, uint64_t len) {
    std::vector<Piece> pieces;
    uint64_t end = address + len;
    while (address != end && pieces.size() <= 4) {
        uint64_t size = 8;
        while (size > 1 && (address % size || end - address < size)) size /= 2;
        pieces.push_back({address, size});
        address += size;
    }
    return pieces;
}

} // namespace

bool HwBreakpoints::insert(HwKind kind, uint64_t address, uint64_t len, int tag) {
    if (len == 0 || address + len < address) return false;
    if (contains(kind, address, len, tag)) return true;
    // An instruction breakpoint is one byte whatever gdb's kind says.
    std::vector<Piece> pieces = kind == HwKind::execute ? std::vector<Piece>{{address, 1}} : split(address, len);
    size_t free = 0;
    for (const Slot& s : slots_) free += !s.used;
    if (pieces.size() > free) return false;
    auto piece = pieces.begin();
    for (Slot& s : slots_) {
        if (s.used || piece == pieces.end()) continue;
        s = Slot{true, kind, piece->address, piece->size, address, len, tag};
        ++piece;
    }
    return true;
}

bool HwBreakpoints::remove(HwKind kind, uint64_t address, uint64_t len, int tag) {
    bool found = false;
    for (Slot& s : slots_) {
        if (s.is(kind, address, len, tag)) {
            s = Slot{};
            found = true;
        }
    }
    return found;
}

bool HwBreakpoints::contains(HwKind kind, uint64_t address, uint64_t len, int tag) const {
    for (const Slot& s : slots_)
        if (s.is(kind, address, len, tag)) return true;
    return false;
}

bool HwBreakpoints::empty() const {
    for (const Slot& s : slots_)
        if (s.used) return false;
    return true;
}

DebugRegisters HwBreakpoints::registers() const {
    DebugRegisters r;
    if (empty()) return r;
    r.dr7 = dr7_fixed | dr7_exact;
    for (unsigned i = 0; i < slots_.size(); ++i) {
        const Slot& s = slots_[i];
        if (!s.used) continue;
        r.address[i] = s.address;
        r.dr7 |= 1ull << (2 * i + 1) | rw_bits(s.kind) << (16 + 4 * i) | len_bits(s.size) << (18 + 4 * i);
    }
    return r;
}

std::optional<HwHit> HwBreakpoints::hit(uint64_t dr6) const {
    // DR6's B0..B3 may be set for slots that matched without being enabled: skip those.
    for (unsigned i = 0; i < slots_.size(); ++i)
        if ((dr6 >> i & 1) && slots_[i].used) return HwHit{slots_[i].kind, slots_[i].request_address, slots_[i].tag};
    return std::nullopt;
}

} // namespace cocoon::vmm::gdb
