#include "vmm/machine/machine.h"

#include <unistd.h>

#include <chrono>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <spdlog/spdlog.h>

#include "vmm/console/console_input.h"
#include "vmm/exit_status.h"
#include "vmm/machine/external_stops.h"
#include "vmm/sandbox/seccomp_filter.h"

namespace cocoon::vmm {

Machine::Machine(const RunOptions& options, GuestImages images)
    : options_(options),
      confine_(options.seccomp && seccomp_in_this_build),
      hardware_(build_hardware(options, images, stop_run())) {
    spdlog::debug("seccomp confinement {}", confine_ ? "on" : "off");
}

Machine::~Machine() = default;

void Machine::stop(int status, std::string reason) {
    {
        std::lock_guard lock(stop_mutex_);
        if (stopped_) return;  // the first reason to stop is the one reported
        stopped_ = true;
        end_ = {status, std::move(reason)};
    }
    for (auto& vcpu : hardware_->vcpus) vcpu->stop();
}

int Machine::run() {
    Hardware& hw = *hardware_;
    auto work = boost::asio::make_work_guard(hw.events);
    ExternalStops external_stops(hw.events, options_, stop_run());
    ConsoleInput console_input(hw.events, STDIN_FILENO, hw.legacy->uart, stop_run());

    auto started = std::chrono::steady_clock::now();
    std::thread event_thread([this, &hw] {
        try {
            if (confine_) confine_thread(ThreadRole::events);
            hw.events.run();
        } catch (const std::exception& e) {
            spdlog::error("event thread: {}", e.what());
            stop(exit_status::internal, e.what());
        }
    });
    for (auto& vcpu : hw.vcpus) vcpu->start(confine_);
    for (auto& vcpu : hw.vcpus) vcpu->join();
    hw.console.flush();

    work.reset();
    hw.events.stop();
    event_thread.join();
    if (hw.debugger) hw.debugger->finish(end_.status);
    hw.tracing->device.drain();  // what the guest wrote after the last periodic drain
    hw.echoes.report_now();      // and the echoes since the event thread last reported
    hw.tracing->log.write_timeline();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    log_summary(hw, end_, seconds);
    return end_.status;
}

} // namespace cocoon::vmm
