// One virtual machine and its run: built by build_hardware (builder.h), then run by a
// thread per vCPU in KVM_RUN (VcpuLoop) and one Boost.Asio event thread for everything
// asynchronous (signals, the timeout, console input, device timers and notifications),
// until something stops it. run() logs the summary and returns the exit status.
#pragma once
#include <memory>
#include <mutex>

#include "vmm/cli/options.h"
#include "vmm/machine/builder.h"
#include "vmm/machine/hardware.h"
#include "vmm/machine/summary.h"
#include "vmm/stop_run.h"

namespace cocoon::vmm {

class Machine {
public:
    // Builds everything and loads the kernel. Throws SetupError.
    Machine(const RunOptions& options, GuestImages images);
    ~Machine();

    int run();

private:
    // Any thread: the first reason to stop is the run's end, and every vCPU leaves the guest.
    void stop(int status, std::string reason);
    StopRun stop_run() {
        return [this](int status, std::string reason) { stop(status, std::move(reason)); };
    }

    RunOptions options_;
    bool confine_;  // each thread installs its role's seccomp filter (vmm/sandbox/)
    std::mutex stop_mutex_;
    bool stopped_ = false;
    RunEnd end_;
    std::unique_ptr<Hardware> hardware_;  // last: it goes before the stop it calls
};

} // namespace cocoon::vmm
