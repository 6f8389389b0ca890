// What a virtio device is to its transport: an ID, feature bits, a configuration
// space and its virtqueues. The transport (virtio-mmio here) owns the registers and
// the interrupt; the device only consumes chains and says whether it used any.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

#include "vmm/virtio/virtqueue.h"

namespace cocoon::vmm {

class VirtioDevice {
public:
    virtual ~VirtioDevice() = default;
    virtual uint32_t device_id() const = 0;
    virtual uint64_t features() const = 0;
    virtual std::span<const uint8_t> config() const = 0;
    virtual size_t queue_count() const = 0;
    virtual Virtqueue& queue(size_t index) = 0;
    // The driver made buffers available on `index`: true if any were used.
    virtual bool process(size_t index) = 0;
};

} // namespace cocoon::vmm
