#include "vmm/vcpu/vcpu_loop.h"

#include <spdlog/spdlog.h>

#include "vmm/exit_status.h"
#include "vmm/sandbox/seccomp_filter.h"

namespace cocoon::vmm {
namespace {

// An AP the guest never started waits for INIT and SIPI: it has run no instruction.
bool has_started(const Vcpu& vcpu) {
    try {
        return !awaits_startup(vcpu.mp_state());
    } catch (const std::exception&) {
        return true;  // unknown: nothing to remark on
    }
}

} // namespace

VcpuLoop::VcpuLoop(Vm& vm, uint32_t index, const std::vector<kvm_cpuid_entry2>& cpuid, Wiring wiring)
    : index_(index), vcpu_(vm, index, cpuid), wiring_(std::move(wiring)) {}

void VcpuLoop::start(bool confine) {
    thread_ = std::thread([this, confine] { run(confine); });
}

void VcpuLoop::stop() {
    running_.store(false, std::memory_order_release);
    if (debugger_) debugger_->release(index_);
    vcpu_.kick();
}

void VcpuLoop::join() { thread_.join(); }

void VcpuLoop::run(bool confine) {
    vcpu_.bind_to_current_thread();
    try {
        if (confine) confine_thread(ThreadRole::vcpu);
        if (debugger_) debugger_->before_first_run(index_);
        while (running_.load(std::memory_order_acquire)) {
            if (!vcpu_.run()) {  // kicked: by stop(), or for the debugger
                if (debugger_) debugger_->after_kick(index_);
                continue;
            }
            kvm_run& exit = vcpu_.run_state();
            exits_.add(exit);
            ExitOutcome outcome = dispatch_exit(exit, {wiring_.pio, wiring_.mmio, debugger_ != nullptr});
            if (!follow(outcome)) break;
            wiring_.pit.catch_up();
        }
    } catch (const std::exception& e) {
        // Only set-up calls can throw here (a KVM ioctl failing outright).
        spdlog::error("vCPU {}: {}", index_, e.what());
        wiring_.stop_run(exit_status::internal, e.what());
    }
    started_ = has_started(vcpu_);
}

bool VcpuLoop::follow(ExitOutcome& outcome) {
    if (auto* debug = std::get_if<exit_outcome::Debug>(&outcome)) debugger_->on_debug_exit(index_, debug->arch);
    auto* stop = std::get_if<exit_outcome::Stop>(&outcome);
    if (!stop) return true;
    spdlog::error("{}; vCPU {}'s registers:\n{}", stop->error, index_, vcpu_.dump_registers());
    wiring_.stop_run(stop->status, std::move(stop->reason));
    return false;
}

} // namespace cocoon::vmm
