// A 16550A UART, the guest's console: bytes written to THR go to the host, bytes from
// the host arrive in RBR. Enough of the datasheet for a polling or interrupt-driven
// driver: DLAB and the divisor latch, IER, IIR with FIFO bits, LCR, MCR, LSR, MSR and
// the scratch register. Transmission is instant, so THR is always empty. The receive
// FIFO holds 16 bytes, as the 16550A's: the host gives it no more until the guest has
// read some, so nothing is lost and the host holds the rest (vmm/console/console_input.h).
//
// Register accesses come from the vCPU thread, input from the event thread: a mutex
// guards the state, and output, the IRQ and the watcher are reached through callbacks.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

#include "vmm/bus/device.h"

namespace cocoon::vmm {

// Who watches the bytes that cross the UART. Each call comes under the UART's lock, so in
// the order the guest sees them: the echo timer (vmm/console/echo_timer.h) matches what
// is typed with what the guest writes back.
class UartWatcher {
public:
    virtual void entered(uint8_t byte) = 0;  // a host byte entered the receive FIFO: the guest can read it
    virtual void left() = 0;                 // the oldest left it: the guest read it, or reset the FIFO
    virtual void sent(uint8_t byte) = 0;     // the guest wrote a byte to THR

protected:
    ~UartWatcher() = default;
};

class Uart : public Device {
public:
    static constexpr size_t fifo_size = 16;
    using Output = std::function<void(uint8_t)>;
    Uart(Output output, IrqLine& irq, UartWatcher* watcher = nullptr);

    void read(uint64_t offset, std::span<uint8_t> data) override;
    void write(uint64_t offset, std::span<const uint8_t> data) override;

    // Host input, as much of it as the receive FIFO has room for: returns how many bytes
    // it took. When it took fewer than all, the room callback follows once the guest has
    // made room.
    size_t receive(std::span<const uint8_t> bytes);
    // Any thread. The callback runs under the UART's lock, on the thread where the guest
    // read (a vCPU's): it should only post work elsewhere. Empty: none.
    void on_room(std::function<void()> room);

private:
    uint8_t read_register(uint64_t offset);
    void write_register(uint64_t offset, uint8_t value);
    uint8_t interrupt_id() const;
    void update_irq();
    uint8_t take_received();

    Output output_;
    IrqLine& irq_;
    UartWatcher* watcher_;
    std::function<void()> room_;
    std::mutex mutex_;
    std::deque<uint8_t> rx_;  // at most fifo_size
    bool host_waiting_ = false;  // receive() took fewer bytes than it was given
    uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, fcr_ = 0;
    uint8_t dll_ = 0x0c, dlm_ = 0;   // 9600 baud at reset
    bool thr_empty_pending_ = false; // the THRE interrupt, cleared by reading IIR or writing THR
    bool irq_level_ = false;
};

} // namespace cocoon::vmm
