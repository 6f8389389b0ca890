// One virtual CPU: its fd, its mmap'd kvm_run page, its registers. run() enters the
// guest once; kick() makes a concurrent run() return promptly from another thread.
#pragma once
#include <linux/kvm.h>
#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "vmm/kvm/kvm.h"

namespace cocoon::vmm {

// A vCPU in KVM_MP_STATE `mp_state` waits for the guest's INIT and SIPI: an AP the guest
// has not started (under the in-kernel local APIC every vCPU but the first begins so).
inline bool awaits_startup(uint32_t mp_state) {
    return mp_state == KVM_MP_STATE_UNINITIALIZED || mp_state == KVM_MP_STATE_INIT_RECEIVED;
}

class Vcpu {
public:
    // vCPU `index` (its APIC ID) with the CPUID it is to report (vmm/platform/cpuid.h).
    Vcpu(Vm& vm, uint32_t index, const std::vector<kvm_cpuid_entry2>& cpuid);
    ~Vcpu();
    Vcpu(const Vcpu&) = delete;
    Vcpu& operator=(const Vcpu&) = delete;

    int fd() const { return fd_.get(); }
    kvm_run& run_state() { return *run_; }

    kvm_regs regs() const;
    void set_regs(const kvm_regs& regs);
    kvm_sregs sregs() const;
    void set_sregs(const kvm_sregs& sregs);
    kvm_fpu fpu() const;
    uint32_t mp_state() const;  // KVM_MP_STATE_*: runnable, halted, waiting for INIT or SIPI
    void set_guest_debug(const kvm_guest_debug& debug);
    uint32_t tsc_khz() const;  // 0 if KVM does not know
    uint64_t guest_tsc() const;  // the TSC the guest would read now (its IA32_TSC)

    // Enters the guest until the next exit to user space. Returns false when the run
    // was interrupted by kick() (or a signal) rather than a guest exit. A vCPU that waits
    // for its start-up IPIs stays in here until they come or a kick does. Throws when
    // KVM refuses to run it at all.
    bool run();

    // Called once on the thread that will call run(): kick() then targets that thread.
    void bind_to_current_thread();
    // Safe from any thread: the next or current run() returns false.
    void kick();

    // RIP, RSP, control registers, EFER and segments, one register per line.
    std::string dump_registers() const;

private:
    UniqueFd fd_;
    kvm_run* run_ = nullptr;
    size_t run_size_ = 0;
    std::atomic<bool> bound_{false};
    pthread_t thread_{};
};

} // namespace cocoon::vmm
