// The gdb stub's Target on cocoon's vCPU. Two threads meet here:
//
// - the vCPU thread parks in park() when the guest stops for the debugger (its first
//   instruction, a KVM_EXIT_DEBUG, a kick after interrupt()). It snapshots the
//   registers itself, hands the StopEvent to the event thread, and waits on a condition
//   variable; when told to resume it writes back what changed and sets KVM's guest
//   debug state, then returns to KVM_RUN. Every vCPU ioctl stays on the vCPU thread.
// - the stub, on the event thread, reads and writes that snapshot and guest memory
//   while the vCPU thread is parked, and never otherwise.
//
// A vCPU is parked only after KVM_RUN returned (an exit, or EINTR after a kick), so any
// port or MMIO access the guest was making is complete and the registers are whole.
#pragma once
#include <linux/kvm.h>

#include <condition_variable>
#include <functional>
#include <mutex>

#include "vmm/gdb/target.h"
#include "vmm/kvm/kvm.h"
#include "vmm/kvm/vcpu.h"
#include "vmm/memory/guest_memory.h"

namespace cocoon::vmm::gdb {

class VcpuTarget : public Target {
public:
    using PostStop = std::function<void(const StopEvent&)>;  // to the stub's thread
    using EndRun = std::function<void()>;                     // 'k'

    VcpuTarget(Vcpu& vcpu, const GuestMemory& memory, const Kvm& kvm, PostStop post_stop, EndRun end_run);

    // On the vCPU thread.
    void park_at_start();                                  // before the first KVM_RUN
    void after_kick();                                     // KVM_RUN returned EINTR
    void on_debug_exit(const kvm_debug_exit_arch& debug);  // KVM_EXIT_DEBUG
    // Any thread: the machine is stopping; a parked vCPU thread returns at once.
    void release();

    DebugSupport debug_support() const override { return support_; }
    X86Registers registers() override;
    void set_registers(const X86Registers& regs) override;
    std::optional<uint64_t> translate(uint64_t virt) override;
    bool read_physical(uint64_t phys, std::span<uint8_t> out) override;
    bool write_physical(uint64_t phys, std::span<const uint8_t> in) override;
    void set_debug_registers(const DebugRegisters& regs) override;
    void resume(bool step) override;
    void interrupt() override;
    void detach() override;
    void kill() override;

private:
    enum class State { running, stop_requested, stopped };
    void park(const StopEvent& event);
    kvm_guest_debug guest_debug() const;  // under mutex_

    Vcpu& vcpu_;
    const GuestMemory& memory_;
    PostStop post_stop_;
    EndRun end_run_;
    bool block_irq_;  // KVM can hold interrupts back during a single step
    DebugSupport support_;

    std::mutex mutex_;
    std::condition_variable resumed_;
    State state_ = State::running;
    bool released_ = false;
    bool attached_ = false;  // guest debug on: int3 and debug registers exit to us
    bool step_ = false;
    DebugRegisters debug_;
    kvm_regs regs_{};
    kvm_sregs sregs_{};
    kvm_fpu fpu_{};
    bool regs_dirty_ = false, sregs_dirty_ = false;
};

} // namespace cocoon::vmm::gdb
