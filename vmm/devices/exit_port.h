// The exit port at 0xf4, QEMU's isa-debug-exit: the guest writes a value and the run
// ends. cocoon exits with the value itself (0..63); QEMU with (value << 1) | 1.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>

#include "vmm/bus/device.h"

namespace cocoon::vmm {

class ExitPort : public Device {
public:
    explicit ExitPort(std::function<void(uint32_t)> on_exit) : on_exit_(std::move(on_exit)) {}
    void read(uint64_t, std::span<uint8_t> data) override { std::fill(data.begin(), data.end(), 0xff); }
    void write(uint64_t offset, std::span<const uint8_t> data) override {
        uint32_t value = 0;
        for (size_t i = 0; i < data.size() && offset + i < 4; ++i) value |= uint32_t{data[i]} << (8 * (offset + i));
        on_exit_(value);
    }

private:
    std::function<void(uint32_t)> on_exit_;
};

} // namespace cocoon::vmm
