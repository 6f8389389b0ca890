// The PIT on the port bus: register accesses from any vCPU thread go to the model with
// the current time; its expiries are Asio timers on the event thread that raise IRQ 0
// through an irqfd, so a tick costs the guest no exit to user space. Port 0x61, channel
// 2's gate and output, is a port of its own on the bus: port61().
#pragma once
#include <atomic>
#include <chrono>
#include <mutex>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "vmm/bus/device.h"
#include "vmm/devices/byte_port.h"
#include "vmm/devices/pit.h"

namespace cocoon::vmm {

class PitDevice : public Device {
public:
    PitDevice(boost::asio::io_context& events, IrqLine& irq0);
    void read(uint64_t offset, std::span<uint8_t> data) override;
    void write(uint64_t offset, std::span<const uint8_t> data) override;
    Device& port61() { return port61_; }
    uint64_t interrupts() const { return interrupts_; }
    // From a vCPU thread after an exit: raises what is already due. A tick then
    // never waits for the event thread to be scheduled, which a host that regains its
    // CPU only at the guest's exits (the nested runner) would otherwise delay.
    void catch_up();

private:
    Pit::Time now() const { return std::chrono::steady_clock::now() - epoch_; }
    void arm();          // with mutex_ held
    void on_timer();
    void raise(unsigned due);  // that many IRQ 0 edges, counted

    IrqLine& irq0_;
    boost::asio::steady_timer timer_;
    std::chrono::steady_clock::time_point epoch_ = std::chrono::steady_clock::now();
    std::mutex mutex_;   // the model: the vCPU threads and the event thread
    Pit pit_;
    std::atomic<uint64_t> interrupts_ = 0;
    BytePort port61_;    // changes no deadline of channel 0: no re-arming
};

} // namespace cocoon::vmm
