// The gdb stub's Target on cocoon's vCPUs, each a gdb thread, all stopped and resumed
// together. Two kinds of thread meet here:
//
// - each vCPU thread parks in park() when its guest stops for the debugger (its first
//   instruction, a KVM_EXIT_DEBUG, a kick after a stop was asked of it). It snapshots
//   its registers itself and waits on a condition variable; when told to resume it
//   writes back what changed and sets KVM's guest debug state, then returns to
//   KVM_RUN. Every vCPU ioctl stays on its vCPU's thread.
// - the stub, on the event thread, reads and writes those snapshots and guest memory
//   while the vCPUs are parked, and never otherwise.
//
// The first vCPU to park asks every other running one to stop too (a kick each); once
// all are parked the stop goes to the stub, naming the vCPU it is about: a breakpoint
// or step of its own before any mere stop, then the lowest vCPU. Another vCPU's own
// stop in the same round is not reported: an int3 or a breakpoint before its
// instruction is met again when that vCPU resumes, a step or a watchpoint hit is lost.
//
// A vCPU is parked only after KVM_RUN returned (an exit, or EINTR after a kick), so any
// port or MMIO access its guest was making is complete and the registers are whole.
#pragma once
#include <linux/kvm.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "vmm/gdb/kvm_registers.h"
#include "vmm/gdb/target.h"
#include "vmm/kvm/kvm.h"
#include "vmm/kvm/vcpu.h"
#include "vmm/memory/guest_memory.h"

namespace cocoon::vmm::gdb {

class VcpuTarget : public Target {
public:
    using PostStop = std::function<void(const StopEvent&)>;  // to the stub's thread
    using EndRun = std::function<void()>;                     // 'k'

    // vCPU i is vcpus[i].
    VcpuTarget(std::vector<Vcpu*> vcpus, const GuestMemory& memory, const Kvm& kvm, PostStop post_stop,
               EndRun end_run);

    // On the thread of vCPU `vcpu`.
    void park_at_start(uint32_t vcpu);                                     // before its first KVM_RUN
    void after_kick(uint32_t vcpu);                                        // KVM_RUN returned EINTR
    void on_debug_exit(uint32_t vcpu, const kvm_debug_exit_arch& debug);  // KVM_EXIT_DEBUG
    // Any thread: the machine is stopping; vCPU `vcpu` no longer parks.
    void release(uint32_t vcpu);

    DebugSupport debug_support() const override { return support_; }
    uint32_t vcpu_count() const override { return static_cast<uint32_t>(held_.size()); }
    X86Registers registers(uint32_t vcpu) override;
    void set_registers(uint32_t vcpu, const X86Registers& regs) override;
    std::optional<uint64_t> translate(uint32_t vcpu, uint64_t virt) override;
    bool awaits_startup(uint32_t vcpu) override;
    bool read_physical(uint64_t phys, std::span<uint8_t> out) override;
    bool write_physical(uint64_t phys, std::span<const uint8_t> in) override;
    void set_debug_registers(const DebugRegisters& regs) override;
    void resume(std::span<const Action> actions) override;
    void interrupt() override;
    void detach() override;
    void kill() override;

private:
    enum class State { running, stop_requested, stopped };
    struct Held {  // one vCPU, under mutex_
        explicit Held(Vcpu* v) : vcpu(v) {}
        Vcpu* vcpu;
        State state = State::running;
        bool released = false;
        bool step = false;
        KvmRegisters snapshot;
        ChangedSets changed;
        uint32_t mp_state = KVM_MP_STATE_RUNNABLE;
    };
    void park(const StopEvent& event);
    void stop_the_running();  // under mutex_
    bool all_stopped() const;  // under mutex_
    kvm_guest_debug guest_debug(bool step) const;  // under mutex_
    const Held* stopped(uint32_t vcpu) const;  // under mutex_: null unless it is parked

    const GuestMemory& memory_;
    PostStop post_stop_;
    EndRun end_run_;
    bool block_irq_;  // KVM can hold interrupts back during a single step
    DebugSupport support_;

    mutable std::mutex mutex_;
    std::condition_variable resumed_;
    std::vector<Held> held_;
    bool stopping_ = false;          // a stop is being gathered: every running vCPU was asked
    std::optional<StopEvent> report_;  // what the stop being gathered will say
    bool attached_ = false;  // guest debug on: int3 and debug registers exit to us
    DebugRegisters debug_;
};

} // namespace cocoon::vmm::gdb
