#include "vmm/console/echo_timer.h"

#include <boost/asio/post.hpp>

namespace cocoon::vmm {

EchoTimer::EchoTimer(boost::asio::io_context& events, Clock clock) : events_(events), clock_(std::move(clock)) {}

void EchoTimer::report_to(Report report) {
    std::lock_guard lock(mutex_);
    report_ = std::move(report);
}

void EchoTimer::entered(uint8_t byte) {
    std::lock_guard lock(mutex_);
    ++handed_;
    matcher_.entered(byte, clock_());
}

void EchoTimer::left() {
    std::lock_guard lock(mutex_);
    matcher_.left();
}

// Every byte the guest writes comes here, on its exit: with nothing to judge, no clock.
void EchoTimer::sent(uint8_t byte) {
    std::lock_guard lock(mutex_);
    if (matcher_.idle()) return;
    std::optional<Echo> echo = matcher_.sent(byte, clock_());
    if (!echo) return;
    latencies_.add(echo->latency());
    if (!report_) return;
    unreported_.push_back(*echo);
    if (unreported_.size() == 1) boost::asio::post(events_, [this] { report_now(); });
}

void EchoTimer::report_now() {
    std::vector<Echo> echoes;
    Report report;
    {
        std::lock_guard lock(mutex_);
        echoes.swap(unreported_);
        report = report_;
    }
    if (report)
        for (const Echo& echo : echoes) report(echo);
}

EchoFigures EchoTimer::figures() const {
    std::lock_guard lock(mutex_);
    uint64_t unanswered = matcher_.awaiting() + matcher_.unread();
    return {handed_, matcher_.not_echoed() + unanswered, matcher_.unread(), latencies_.figures()};
}

} // namespace cocoon::vmm
