// The response time of the guest's console, measured by cocoon rather than by the guest:
// watching the UART, it times each byte typed from the moment the guest can read it to
// the guest's echo of it (EchoMatcher says which output is which echo). The UART calls
// come under its lock from the vCPU and event threads; each echo found is reported on the
// event thread (the log and the timeline, vmm/trace/event_log.h), the last ones at the end.
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "vmm/console/echo.h"
#include "vmm/console/echo_matcher.h"
#include "vmm/console/latency_samples.h"
#include "vmm/devices/uart.h"

namespace cocoon::vmm {

// What the summary says of the console's input.
struct EchoFigures {
    uint64_t handed = 0;      // bytes given to the guest
    uint64_t not_echoed = 0;  // of which the guest answered with something else, or not at all
    uint64_t unread = 0;      // of which the guest never read
    LatencyFigures echoed;    // the latencies of those it echoed
};

class EchoTimer final : public UartWatcher {
public:
    using Clock = std::function<HostTime()>;
    using Report = std::function<void(const Echo&)>;

    explicit EchoTimer(boost::asio::io_context& events, Clock clock = std::chrono::steady_clock::now);

    void report_to(Report report);  // before the run

    void entered(uint8_t byte) override;
    void left() override;
    void sent(uint8_t byte) override;

    // Reports the echoes found since the last call: on the event thread, or at the end.
    void report_now();
    EchoFigures figures() const;

private:
    boost::asio::io_context& events_;
    Clock clock_;
    Report report_;
    mutable std::mutex mutex_;
    EchoMatcher matcher_;
    LatencySamples latencies_;
    uint64_t handed_ = 0;
    std::vector<Echo> unreported_;
};

} // namespace cocoon::vmm
