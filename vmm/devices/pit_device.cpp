#include "vmm/devices/pit_device.h"

#include <boost/asio/post.hpp>

namespace cocoon::vmm {

PitDevice::PitDevice(boost::asio::io_context& events, IrqLine& irq0)
    : irq0_(irq0), timer_(events),
      port61_(
          [this] {
              std::lock_guard lock(mutex_);
              return pit_.read_port61(now());
          },
          [this](uint8_t value) {
              std::lock_guard lock(mutex_);
              pit_.write_port61(value, now());
          }) {}

void PitDevice::read(uint64_t offset, std::span<uint8_t> data) {
    std::lock_guard lock(mutex_);
    for (auto& b : data) b = pit_.read(static_cast<uint8_t>(offset), now());
}

void PitDevice::write(uint64_t offset, std::span<const uint8_t> data) {
    std::lock_guard lock(mutex_);
    for (uint8_t b : data) pit_.write(static_cast<uint8_t>(offset), b, now());
    // The timer belongs to the event thread: re-arm it there.
    boost::asio::post(timer_.get_executor(), [this] {
        std::lock_guard lock(mutex_);
        arm();
    });
}

void PitDevice::arm() {
    auto due = pit_.next_irq();
    if (!due) {
        timer_.cancel();
        return;
    }
    timer_.expires_at(epoch_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(*due));
    timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error) on_timer();
    });
}

void PitDevice::catch_up() {
    unsigned due = 0;
    {
        std::lock_guard lock(mutex_);
        auto next = pit_.next_irq();
        if (next && *next <= now()) due = pit_.expire(now());  // the event thread's timer finds it done
    }
    raise(due);
}

void PitDevice::raise(unsigned due) {
    for (unsigned i = 0; i < due; ++i) irq0_.raise();
    interrupts_ += due;
}

void PitDevice::on_timer() {
    unsigned due;
    {
        std::lock_guard lock(mutex_);
        due = pit_.expire(now());
        arm();
    }
    raise(due);
}

} // namespace cocoon::vmm
