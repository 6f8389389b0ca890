// What the gdb stub debugs, as small as the protocol allows: the stub keeps every
// breakpoint and the protocol's state itself, so that a fake target can stand in for
// KVM in unit tests. Memory is reached through translate() and physical accesses: the
// stub walks virtual ranges page by page and hides its own int3 bytes from reads.
#pragma once
#include <cstdint>
#include <optional>
#include <span>

#include "vmm/gdb/debug_registers.h"
#include "vmm/gdb/x86_registers.h"

namespace cocoon::vmm::gdb {

// Why the target stopped; delivered to GdbStub::on_stop on the stub's thread.
struct StopEvent {
    enum class Kind {
        initial,      // stopped before its first instruction
        interrupted,  // after interrupt()
        breakpoint,   // an int3 (#BP): rip is at the int3 or just after it
        debug,        // a #DB: a single step or a debug-register hit, as `dr6` says
    };
    Kind kind = Kind::initial;
    uint64_t dr6 = 0;
};

// What the platform lets a debugger use (see debug_probe.h); single steps always work.
struct DebugSupport {
    bool software_breakpoints = true;  // an int3 stops the guest, not kills it
    bool hardware_breakpoints = true;  // debug-register hits stop the guest
};

class Target {
public:
    virtual ~Target() = default;
    virtual DebugSupport debug_support() const = 0;

    // Only while stopped (between a StopEvent and the next resume()):
    virtual X86Registers registers() = 0;
    virtual void set_registers(const X86Registers& regs) = 0;
    // The physical address of `virt` through the current page tables (itself when
    // paging is off); nullopt when not mapped.
    virtual std::optional<uint64_t> translate(uint64_t virt) = 0;
    virtual bool read_physical(uint64_t phys, std::span<uint8_t> out) = 0;
    virtual bool write_physical(uint64_t phys, std::span<const uint8_t> in) = 0;
    // Applied at the next resume.
    virtual void set_debug_registers(const DebugRegisters& regs) = 0;
    // Runs (or executes one instruction); a StopEvent follows.
    virtual void resume(bool step) = 0;

    // At any time:
    virtual void interrupt() = 0;  // a running target stops: StopEvent interrupted
    virtual void detach() = 0;     // no more debugging: breakpoints off, runs freely
    virtual void kill() = 0;       // ends the run
};

} // namespace cocoon::vmm::gdb
