// A 16550A UART, the guest's console: bytes written to THR go to the host, bytes from
// the host arrive in RBR. Enough of the datasheet for a polling or interrupt-driven
// driver: DLAB and the divisor latch, IER, IIR with FIFO bits, LCR, MCR, LSR, MSR and
// the scratch register. Transmission is instant, so THR is always empty.
//
// Register accesses come from the vCPU thread, input from the event thread: a mutex
// guards the state, and output and the IRQ are reached through callbacks.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

#include "vmm/bus/device.h"

namespace cocoon::vmm {

class Uart : public Device {
public:
    using Output = std::function<void(uint8_t)>;
    Uart(Output output, IrqLine& irq);

    void read(uint64_t offset, std::span<uint8_t> data) override;
    void write(uint64_t offset, std::span<const uint8_t> data) override;

    // Host input: queued for the guest to read (bounded: the oldest bytes are kept).
    void receive(std::span<const uint8_t> bytes);

private:
    uint8_t read_register(uint64_t offset);
    void write_register(uint64_t offset, uint8_t value);
    uint8_t interrupt_id() const;
    void update_irq();

    Output output_;
    IrqLine& irq_;
    std::mutex mutex_;
    std::deque<uint8_t> rx_;
    uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, fcr_ = 0;
    uint8_t dll_ = 0x0c, dlm_ = 0;   // 9600 baud at reset
    bool thr_empty_pending_ = false; // the THRE interrupt, cleared by reading IIR or writing THR
    bool irq_level_ = false;
};

} // namespace cocoon::vmm
