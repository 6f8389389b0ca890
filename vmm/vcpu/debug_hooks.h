// The one way the machine reaches a debugger (the gdb stub behind --gdb): each vCPU loop
// calls it where its guest may stop for the debugger and when it is stopped, the machine
// once the run has ended. Without --gdb there is none, and nothing calls.
#pragma once
#include <linux/kvm.h>

#include <cstdint>

namespace cocoon::vmm {

class DebugHooks {
public:
    virtual ~DebugHooks() = default;

    // On the thread of vCPU `vcpu`, which enters the guest again only once they return.
    // Before its first KVM_RUN: the debugger may hold it at its first instruction.
    virtual void before_first_run(uint32_t vcpu) = 0;
    // KVM_RUN returned for a kick: the debugger's interrupt, or the machine stopping.
    virtual void after_kick(uint32_t vcpu) = 0;
    // KVM_EXIT_DEBUG: a breakpoint, a single step, a debug-register hit.
    virtual void on_debug_exit(uint32_t vcpu, const kvm_debug_exit_arch& exit) = 0;

    // Any thread: vCPU `vcpu` is stopping, and must not stay held for the debugger.
    virtual void release(uint32_t vcpu) = 0;
    // The main thread, once every vCPU and the event thread have stopped.
    virtual void finish(int status) = 0;
};

} // namespace cocoon::vmm
