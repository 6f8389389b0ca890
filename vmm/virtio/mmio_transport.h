// The virtio-mmio transport, version 2 (virtio 1.x, 4.2.2): the register window a
// driver uses to negotiate features, place the queues and see interrupts, in front of
// one VirtioDevice. Registers are written from any vCPU thread; queue notifications
// arrive on the event thread (an ioeventfd on QueueNotify) or, without one, through
// the bus. One mutex keeps them apart.
#pragma once
#include <cstdint>
#include <mutex>
#include <vector>

#include "vmm/bus/device.h"
#include "vmm/virtio/virtio_device.h"

namespace cocoon::vmm {

class VirtioMmioTransport final : public Device {
public:
    VirtioMmioTransport(VirtioDevice& device, IrqLine& irq);

    void read(uint64_t offset, std::span<uint8_t> data) override;
    void write(uint64_t offset, std::span<const uint8_t> data) override;
    // The driver notified a queue: process it and interrupt if buffers were used.
    void notify(uint32_t queue);
    // A notification that does not say which queue (an ioeventfd without datamatch).
    void notify_all();
    // The driver wrote InterruptACK through an ioeventfd (the value is not kept):
    // used-buffer notifications are the only cause this transport raises. The ACK
    // arrives after the driver wrote it, so it clears the bit only if no interrupt was
    // raised since the driver last read InterruptStatus: a newer completion keeps its
    // bit, or the driver, woken by its interrupt, would read 0 and walk no ring.
    void acknowledge_used_buffers();
    uint32_t status() const;

private:
    struct QueueRegisters {
        uint32_t num = 0;
        bool ready = false;
        uint64_t desc = 0, avail = 0, used = 0;
    };
    uint32_t read_register(uint64_t offset);
    void write_register(uint64_t offset, uint32_t value);
    void set_status(uint32_t value);
    void reset();
    void notify_locked(uint32_t queue);

    VirtioDevice& device_;
    IrqLine& irq_;
    mutable std::mutex mutex_;
    uint32_t status_ = 0;
    uint32_t device_features_sel_ = 0, driver_features_sel_ = 0;
    uint64_t driver_features_ = 0;
    uint32_t queue_sel_ = 0;
    uint32_t interrupt_status_ = 0;
    uint64_t raised_ = 0;            // used-buffer interrupts raised so far
    uint64_t raised_at_status_read_ = 0;  // raised_ when the driver last read InterruptStatus
    std::vector<QueueRegisters> queues_;
    uint32_t refusals_logged_ = 0;  // queues not started, logged
};

} // namespace cocoon::vmm
