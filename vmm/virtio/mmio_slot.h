// A virtio device mounted the way the machine presents it: its virtio-mmio window on
// the MMIO bus, ioeventfds on QueueNotify and InterruptACK that the event thread waits
// on (so neither a request nor its acknowledgement costs the vCPU an exit to user
// space), an irqfd for its interrupt, and the kernel command-line fragment that
// announces it the way Linux expects.
#pragma once
#include <cstdint>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "vmm/bus/bus.h"
#include "vmm/kvm/event_fd.h"
#include "vmm/kvm/kvm.h"
#include "vmm/virtio/mmio_transport.h"

namespace cocoon::vmm {

class VirtioMmioSlot {
public:
    // Slot `index` takes the window and IRQ that include/cocoon/platform.h gives it.
    VirtioMmioSlot(Vm& vm, Bus& mmio, boost::asio::io_context& events, VirtioDevice& device, uint32_t index);

    uint64_t base() const { return base_; }
    uint32_t irq() const { return irq_number_; }
    // "virtio_mmio.device=<size>@<base>:<irq>"
    std::string cmdline() const;
    const VirtioMmioTransport& transport() const { return transport_; }
    uint64_t notifications() const { return notifications_; }

private:
    void wait_for_doorbell();
    void wait_for_ack();

    uint64_t base_;
    uint32_t irq_number_;
    IrqFd irq_;
    VirtioMmioTransport transport_;
    EventFd doorbell_;
    boost::asio::posix::stream_descriptor waiter_;
    EventFd ack_;
    boost::asio::posix::stream_descriptor ack_waiter_;
    uint64_t notifications_ = 0;
};

} // namespace cocoon::vmm
