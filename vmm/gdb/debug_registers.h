// The four x86 debug-register slots, shared by hardware breakpoints (Z1) and watchpoints
// (Z2 write, Z4 access): which slot watches what, DR7's encoding of it, and which
// request a DR6 value reports. x86 cannot watch reads alone, so Z3 is not offered: gdb
// then emulates `rwatch` with an access watchpoint and tells reads from writes itself.
// A watched range is split into aligned pieces of 1, 2, 4 or 8 bytes, one slot each.
#pragma once
#include <array>
#include <cstdint>
#include <optional>

namespace cocoon::vmm::gdb {

enum class HwKind { execute, write, access };

struct DebugRegisters {
    std::array<uint64_t, 4> address{};  // DR0..DR3: linear addresses
    uint64_t dr7 = 0;                    // 0: nothing enabled
};

struct HwHit {
    HwKind kind;
    uint64_t address;  // the request's start, as gdb gave it
    int tag;
};

class HwBreakpoints {
public:
    // False when the slots left cannot hold it (or len is 0 or wraps). Inserting the
    // same request twice is one request (gdb's Z packets are meant to be idempotent).
    // `tag` keeps apart equal requests from different sources (Z1, and Z0 falling back
    // to a slot).
    bool insert(HwKind kind, uint64_t address, uint64_t len, int tag = 0);
    bool remove(HwKind kind, uint64_t address, uint64_t len, int tag = 0);  // false: not inserted
    bool contains(HwKind kind, uint64_t address, uint64_t len, int tag = 0) const;
    void clear() { slots_ = {}; }
    bool empty() const;
    DebugRegisters registers() const;
    // The request behind the first enabled slot DR6 reports; nullopt for none.
    std::optional<HwHit> hit(uint64_t dr6) const;

private:
    struct Slot {
        bool used = false;
        HwKind kind = HwKind::execute;
        uint64_t address = 0;  // this piece
        uint64_t size = 1;     // 1, 2, 4 or 8
        uint64_t request_address = 0, request_len = 0;
        int tag = 0;
        bool is(HwKind k, uint64_t a, uint64_t l, int t) const {
            return used && kind == k && request_address == a && request_len == l && tag == t;
        }
    };
    std::array<Slot, 4> slots_{};
};

} // namespace cocoon::vmm::gdb
