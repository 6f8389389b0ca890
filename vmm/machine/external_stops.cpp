#include "vmm/machine/external_stops.h"

#include <signal.h>

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "vmm/exit_status.h"

namespace cocoon::vmm {
namespace {

sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

} // namespace

void hold_stop_signals() {
    sigset_t set = stop_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ExternalStops::ExternalStops(boost::asio::io_context& events, const RunOptions& options, StopRun stop)
    : stop_(std::move(stop)), signals_(events, SIGINT, SIGTERM), timeout_(events) {
    signals_.async_wait([this](auto error, int signal) {
        if (error) return;
        stop_(signal == SIGINT ? exit_status::sigint : exit_status::sigterm,
              signal == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)");
    });
    sigset_t held = stop_signals();
    pthread_sigmask(SIG_UNBLOCK, &held, nullptr);  // one held since the start arrives now
    if (options.timeout_s <= 0) return;
    timeout_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(std::max(options.timeout_s - options.timeout_spent_s, 1e-3))));
    timeout_.async_wait([this, seconds = options.timeout_s](auto error) {
        if (!error) stop_(exit_status::timeout, fmt::format("timed out after {} s", seconds));
    });
}

} // namespace cocoon::vmm
