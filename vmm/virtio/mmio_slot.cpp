#include "vmm/virtio/mmio_slot.h"

#include <unistd.h>

#include <fmt/format.h>

#include "cocoon/platform.h"
#include "cocoon/virtio.h"

namespace cocoon::vmm {

VirtioMmioSlot::VirtioMmioSlot(Vm& vm, Bus& mmio, boost::asio::io_context& events, VirtioDevice& device,
                               uint32_t index)
    : base_(platform::virtio_mmio_base + index * platform::virtio_mmio_stride),
      irq_number_(platform::virtio_mmio_irq_base + index),
      irq_(vm, irq_number_),
      transport_(device, irq_),
      waiter_(events, ::dup(doorbell_.fd())),
      ack_waiter_(events, ::dup(ack_.fd())) {
    mmio.add(base_, platform::virtio_mmio_size, transport_);
    // Without a datamatch every queue's notification rings the same doorbell; the
    // transport then looks at every queue.
    vm.add_ioeventfd(base_ + virtio::reg_queue_notify, 4, false, doorbell_);
    vm.add_ioeventfd(base_ + virtio::reg_interrupt_ack, 4, false, ack_);
    wait_for_doorbell();
    wait_for_ack();
}

std::string VirtioMmioSlot::cmdline() const {
    return fmt::format("virtio_mmio.device={}@{:#x}:{}", platform::virtio_mmio_size, base_, irq_number_);
}

void VirtioMmioSlot::wait_for_doorbell() {
    waiter_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](auto error) {
        if (error) return;
        if (doorbell_.consume()) {
            ++notifications_;
            transport_.notify_all();
        }
        wait_for_doorbell();
    });
}

void VirtioMmioSlot::wait_for_ack() {
    ack_waiter_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](auto error) {
        if (error) return;
        if (ack_.consume()) transport_.acknowledge_used_buffers();
        wait_for_ack();
    });
}

} // namespace cocoon::vmm
