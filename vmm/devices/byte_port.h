// One 8-bit I/O port of a device whose ports are not adjacent (the i8042's 0x60 and
// 0x64 around port 0x61, which belongs to the PIT), so that each can go on the bus by
// itself. A wider access reaches this port with its first byte only; its other bytes
// read as all ones, as ports nobody claims do.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>

#include "vmm/bus/device.h"

namespace cocoon::vmm {

class BytePort : public Device {
public:
    BytePort(std::function<uint8_t()> in, std::function<void(uint8_t)> out) : in_(std::move(in)), out_(std::move(out)) {}
    void read(uint64_t offset, std::span<uint8_t> data) override {
        std::fill(data.begin(), data.end(), 0xff);
        if (offset == 0 && !data.empty()) data[0] = in_();
    }
    void write(uint64_t offset, std::span<const uint8_t> data) override {
        if (offset == 0 && !data.empty()) out_(data[0]);
    }

private:
    std::function<uint8_t()> in_;
    std::function<void(uint8_t)> out_;
};

} // namespace cocoon::vmm
