// The debugger's breakpoints and watchpoints in one guest, and guest-virtual memory as
// the debugger sees it. An int3 (Z0) is written into guest memory through the page
// tables of the vCPU gdb has selected and remembered by the physical byte it replaced,
// so that removing it later, under another CR3, restores the right frame; reads show
// that byte, and a write under an int3 keeps the int3 in place. Where an address has no
// translation yet (paging still off at the first instruction, a user page of another
// process), or this KVM would not report an int3, a Z0 takes a debug-register slot
// instead. Breakpoints are the whole machine's: every vCPU stops at them.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "vmm/gdb/debug_registers.h"
#include "vmm/gdb/target.h"

namespace cocoon::vmm::gdb {

class Breakpoints {
public:
    explicit Breakpoints(Target& target) : target_(target) {}

    enum class Result { ok, no_room, unsupported };
    // Inserting what is in already, or removing what is not, is fine (gdb's Z and z
    // packets are meant to be idempotent).
    Result insert_software(uint32_t vcpu, uint64_t address);  // through vCPU `vcpu`'s page tables
    void remove_software(uint64_t address);
    Result insert_hardware(HwKind kind, uint64_t address, uint64_t len);
    void remove_hardware(HwKind kind, uint64_t address, uint64_t len);
    void remove_all();

    // For the next resume.
    DebugRegisters debug_registers() const { return hw_.registers(); }

    // What stopped the guest: an int3 of ours at `address`; the slot DR6 reports.
    bool software_at(uint64_t address) const;
    struct Hit {
        HwKind kind;
        uint64_t address;
        bool software;  // a Z0 that took a slot
    };
    std::optional<Hit> hit(uint64_t dr6) const;

    // Guest-virtual memory page by page through vCPU `vcpu`'s page tables: as many bytes
    // as are mapped from `address` on; write is all or nothing per page, false at the
    // first gap.
    std::vector<uint8_t> read(uint32_t vcpu, uint64_t address, uint64_t len);
    bool write(uint32_t vcpu, uint64_t address, std::span<const uint8_t> bytes);

private:
    struct Int3 {
        uint64_t virt;
        uint64_t phys;
        uint8_t original;
    };

    Target& target_;
    HwBreakpoints hw_;
    std::vector<Int3> int3s_;
};

} // namespace cocoon::vmm::gdb
