#include "vmm/virtio/mmio_transport.h"

#include <cstring>

#include <spdlog/spdlog.h>

#include "cocoon/virtio.h"

namespace cocoon::vmm {

using namespace cocoon::virtio;

namespace {
constexpr uint32_t max_refusals_logged = 8;
} // namespace

VirtioMmioTransport::VirtioMmioTransport(VirtioDevice& device, IrqLine& irq)
    : device_(device), irq_(irq), queues_(device.queue_count()) {}

uint32_t VirtioMmioTransport::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

void VirtioMmioTransport::read(uint64_t offset, std::span<uint8_t> data) {
    std::lock_guard lock(mutex_);
    if (offset >= reg_config) {
        // The configuration space may be read in any width; bytes past it read as zero.
        std::span<const uint8_t> config = device_.config();
        for (size_t i = 0; i < data.size(); ++i) {
            uint64_t at = offset - reg_config + i;
            data[i] = at < config.size() ? config[at] : 0;
        }
        return;
    }
    // Registers are read 32 bits at a time; any other access reads all ones, every byte
    // of it: the buffer is KVM's exit data, still holding the previous access's bytes.
    if (data.size() != 4 || offset % 4) {
        std::memset(data.data(), 0xff, data.size());
        return;
    }
    uint32_t value = read_register(offset);
    std::memcpy(data.data(), &value, 4);
}

void VirtioMmioTransport::write(uint64_t offset, std::span<const uint8_t> data) {
    std::lock_guard lock(mutex_);
    if (data.size() != 4 || offset % 4 || offset >= reg_config) return;  // the config space is read-only here
    uint32_t value;
    std::memcpy(&value, data.data(), 4);
    write_register(offset, value);
}

uint32_t VirtioMmioTransport::read_register(uint64_t offset) {
    QueueRegisters* q = queue_sel_ < queues_.size() ? &queues_[queue_sel_] : nullptr;
    switch (offset) {
    case reg_magic: return mmio_magic;
    case reg_version: return mmio_version;
    case reg_device_id: return device_.device_id();
    case reg_vendor_id: return vendor_id;
    case reg_device_features:
        return device_features_sel_ < 2 ? static_cast<uint32_t>(device_.features() >> (32 * device_features_sel_)) : 0;
    case reg_queue_num_max: return q ? device_.queue(queue_sel_).max_size() : 0;
    case reg_queue_ready: return q && q->ready;
    case reg_interrupt_status: raised_at_status_read_ = raised_; return interrupt_status_;
    case reg_status: return status_;
    case reg_config_generation: return 0;  // the configuration never changes
    default: return 0;
    }
}

void VirtioMmioTransport::write_register(uint64_t offset, uint32_t value) {
    QueueRegisters* q = queue_sel_ < queues_.size() ? &queues_[queue_sel_] : nullptr;
    // Queue registers may change only while the queue is not ready (4.2.2.3).
    bool queue_writable = q && !q->ready;
    auto set_low = [](uint64_t& field, uint32_t v) { field = (field & ~0xffffffffull) | v; };
    auto set_high = [](uint64_t& field, uint32_t v) { field = (field & 0xffffffffull) | (uint64_t{v} << 32); };
    switch (offset) {
    case reg_device_features_sel: device_features_sel_ = value; break;
    case reg_driver_features_sel: driver_features_sel_ = value; break;
    case reg_driver_features:
        if (driver_features_sel_ < 2 && !(status_ & status_features_ok)) {
            int shift = 32 * static_cast<int>(driver_features_sel_);
            driver_features_ = (driver_features_ & ~(0xffffffffull << shift)) | (uint64_t{value} << shift);
        }
        break;
    case reg_queue_sel: queue_sel_ = value; break;
    case reg_queue_num: if (queue_writable) q->num = value; break;
    case reg_queue_desc_lo: if (queue_writable) set_low(q->desc, value); break;
    case reg_queue_desc_hi: if (queue_writable) set_high(q->desc, value); break;
    case reg_queue_avail_lo: if (queue_writable) set_low(q->avail, value); break;
    case reg_queue_avail_hi: if (queue_writable) set_high(q->avail, value); break;
    case reg_queue_used_lo: if (queue_writable) set_low(q->used, value); break;
    case reg_queue_used_hi: if (queue_writable) set_high(q->used, value); break;
    case reg_queue_ready:
        if (!q) break;
        if (value && !q->ready) {
            uint16_t size = q->num <= 0xffff ? static_cast<uint16_t>(q->num) : 0;
            std::string error = device_.queue(queue_sel_).activate({size, q->desc, q->avail, q->used});
            if (!error.empty()) {
                // The first few: a guest that keeps trying is not a log flood.
                if (refusals_logged_ < max_refusals_logged) {
                    ++refusals_logged_;
                    spdlog::warn("virtio-mmio: queue {} not started: {}{}", queue_sel_, error,
                                 refusals_logged_ == max_refusals_logged ? " (further refusals not logged)" : "");
                }
                status_ |= status_needs_reset;
                break;
            }
            q->ready = true;
        } else if (!value) {
            device_.queue(queue_sel_).reset();
            q->ready = false;
        }
        break;
    case reg_queue_notify: notify_locked(value); break;
    case reg_interrupt_ack: interrupt_status_ &= ~value; break;
    case reg_status: set_status(value); break;
    default: break;
    }
}

void VirtioMmioTransport::set_status(uint32_t value) {
    if (value == 0) {
        reset();
        return;
    }
    // FEATURES_OK holds only for features the device offered, VERSION_1 among them.
    if ((value & status_features_ok) && !(status_ & status_features_ok)) {
        bool acceptable = !(driver_features_ & ~device_.features()) && (driver_features_ >> feature_version_1 & 1);
        if (!acceptable) value &= ~status_features_ok;
    }
    status_ = value | (status_ & status_needs_reset);
}

void VirtioMmioTransport::reset() {
    status_ = 0;
    driver_features_ = 0;
    device_features_sel_ = driver_features_sel_ = queue_sel_ = 0;
    interrupt_status_ = 0;
    for (size_t i = 0; i < queues_.size(); ++i) {
        queues_[i] = {};
        device_.queue(i).reset();
    }
}

void VirtioMmioTransport::notify(uint32_t queue) {
    std::lock_guard lock(mutex_);
    notify_locked(queue);
}

void VirtioMmioTransport::notify_all() {
    std::lock_guard lock(mutex_);
    for (uint32_t q = 0; q < queues_.size(); ++q) notify_locked(q);
}

void VirtioMmioTransport::acknowledge_used_buffers() {
    std::lock_guard lock(mutex_);
    if (raised_ == raised_at_status_read_) interrupt_status_ &= ~interrupt_used_buffer;
}

void VirtioMmioTransport::notify_locked(uint32_t queue) {
    if (!(status_ & status_driver_ok) || queue >= queues_.size() || !queues_[queue].ready) return;
    Virtqueue& q = device_.queue(queue);
    bool used = device_.process(queue);
    if (!q.broken().empty()) status_ |= status_needs_reset;
    if (used && !q.interrupt_suppressed()) {
        interrupt_status_ |= interrupt_used_buffer;
        ++raised_;
        irq_.raise();
    }
}

} // namespace cocoon::vmm
