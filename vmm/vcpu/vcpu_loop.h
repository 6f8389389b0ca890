// One vCPU and the thread that runs it: KVM_RUN in a loop, each exit to user space
// counted and dispatched (exit_dispatch.h), until the run stops. The loop owns its Vcpu,
// whose ioctls stay on its thread once it runs, its exit counts and KVM's. A machine has
// a loop per vCPU; stopping the run stops every one.
#pragma once
#include <linux/kvm.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "vmm/bus/bus.h"
#include "vmm/devices/pit_device.h"
#include "vmm/kvm/kvm.h"
#include "vmm/kvm/kvm_stats.h"
#include "vmm/kvm/vcpu.h"
#include "vmm/stop_run.h"
#include "vmm/vcpu/debug_hooks.h"
#include "vmm/vcpu/exit_counts.h"
#include "vmm/vcpu/exit_dispatch.h"

namespace cocoon::vmm {

class VcpuLoop {
public:
    // What the vCPU loops of a machine share.
    struct Wiring {
        Bus& pio;
        Bus& mmio;
        PitDevice& pit;    // its ticks already due are raised after each exit (PitDevice::catch_up)
        StopRun stop_run;  // a guest that cannot go on ends the whole run
    };

    // vCPU `index` (its APIC ID) with the CPUID it reports (vmm/platform/cpuid.h).
    VcpuLoop(Vm& vm, uint32_t index, const std::vector<kvm_cpuid_entry2>& cpuid, Wiring wiring);
    VcpuLoop(const VcpuLoop&) = delete;
    VcpuLoop& operator=(const VcpuLoop&) = delete;

    uint32_t index() const { return index_; }
    Vcpu& vcpu() { return vcpu_; }  // for setting it up, before start()
    const ExitCounts& exits() const { return exits_; }
    const KvmStats& kvm_stats() const { return kvm_stats_; }
    // After join(): false for a vCPU that still waits for the guest's INIT and SIPI.
    bool started() const { return started_; }

    // Before start(): the debugger this vCPU reports to.
    void attach_debugger(DebugHooks& debugger) { debugger_ = &debugger; }
    // The thread; with `confine` it installs the vCPU role's seccomp filter first. Its
    // owner joins it before the loop goes.
    void start(bool confine);
    // Any thread: the vCPU leaves KVM_RUN, or the debugger's hold, and its thread ends.
    void stop();
    void join();

private:
    void run(bool confine);
    bool follow(ExitOutcome& outcome);  // false: this vCPU stops

    uint32_t index_;
    Vcpu vcpu_;
    KvmStats kvm_stats_{vcpu_.fd()};
    Wiring wiring_;
    ExitCounts exits_;
    DebugHooks* debugger_ = nullptr;  // --gdb
    std::atomic<bool> running_{true};
    bool started_ = true;  // written by the thread as it ends
    std::thread thread_;
};

} // namespace cocoon::vmm
