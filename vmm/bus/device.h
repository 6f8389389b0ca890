// A device as the bus sees it: a range of port-I/O or MMIO addresses that can be read
// and written. Offsets are relative to the device's base; sizes are 1, 2, 4 or 8 bytes.
// Calls arrive on the thread of the vCPU that exited, from several vCPUs at once on a
// machine of more than one: a device with state guards it itself, against the other
// vCPUs and against the event thread (timers, I/O completions) where that drives it too.
#pragma once
#include <cstdint>
#include <span>

namespace cocoon::vmm {

class Device {
public:
    virtual ~Device() = default;
    virtual void read(uint64_t offset, std::span<uint8_t> data) = 0;
    virtual void write(uint64_t offset, std::span<const uint8_t> data) = 0;
};

// An interrupt a device can raise: an irqfd into KVM's in-kernel irqchip in the VMM,
// a recording fake in unit tests. Edge-triggered: each raise() is one interrupt.
class IrqLine {
public:
    virtual ~IrqLine() = default;
    virtual void raise() = 0;
};

} // namespace cocoon::vmm
