// What the gdb stub debugs, as small as the protocol allows: the stub keeps every
// breakpoint and the protocol's state itself, so that a fake target can stand in for
// KVM in unit tests. Memory is reached through translate() and physical accesses: the
// stub walks virtual ranges page by page and hides its own int3 bytes from reads.
//
// A target is a machine of one or more vCPUs, gdb's threads, stopped and resumed
// together (gdb's all-stop mode): a stop of one stops them all, and a resume says what
// each is to do.
#pragma once
#include <cstdint>
#include <optional>
#include <span>

#include "vmm/gdb/debug_registers.h"
#include "vmm/gdb/x86_registers.h"

namespace cocoon::vmm::gdb {

// Why the target stopped; delivered to GdbStub::on_stop on the stub's thread once every
// vCPU has stopped.
struct StopEvent {
    enum class Kind {
        initial,      // stopped before its first instruction
        interrupted,  // after interrupt()
        breakpoint,   // an int3 (#BP): rip is at the int3 or just after it
        debug,        // a #DB: a single step or a debug-register hit, as `dr6` says
    };
    Kind kind = Kind::initial;
    uint64_t dr6 = 0;
    uint32_t vcpu = 0;  // the one that stopped; the others were stopped for it
};

// What a resume asks of one vCPU.
enum class Action {
    stay,  // stays stopped
    run,
    step,  // one instruction
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
    virtual uint32_t vcpu_count() const = 0;  // numbered from 0

    // Only while stopped (between a StopEvent and the next resume()), for vCPU `vcpu`:
    virtual X86Registers registers(uint32_t vcpu) = 0;
    virtual void set_registers(uint32_t vcpu, const X86Registers& regs) = 0;
    // The physical address of `virt` through the vCPU's page tables (itself when paging
    // is off); nullopt when not mapped.
    virtual std::optional<uint64_t> translate(uint32_t vcpu, uint64_t virt) = 0;
    // An AP the guest has not started yet: it waits for INIT and SIPI.
    virtual bool awaits_startup(uint32_t vcpu) = 0;
    virtual bool read_physical(uint64_t phys, std::span<uint8_t> out) = 0;
    virtual bool write_physical(uint64_t phys, std::span<const uint8_t> in) = 0;
    // For every vCPU, applied as each resumes.
    virtual void set_debug_registers(const DebugRegisters& regs) = 0;
    // `actions` holds one per vCPU, at least one of them not `stay`; a StopEvent follows.
    virtual void resume(std::span<const Action> actions) = 0;

    // At any time:
    virtual void interrupt() = 0;  // every running vCPU stops: StopEvent interrupted
    virtual void detach() = 0;     // no more debugging: breakpoints off, all run freely
    virtual void kill() = 0;       // ends the run
};

} // namespace cocoon::vmm::gdb
