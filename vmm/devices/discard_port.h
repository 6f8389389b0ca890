// A port that takes every write and reads as all ones, for I/O done only for its effect
// on real hardware: port 0x80, where firmware posts its progress codes and where
// Linux's outb_p() writes a byte to wait about a microsecond after a slow device.
#pragma once
#include <algorithm>
#include <cstdint>

#include "vmm/bus/device.h"

namespace cocoon::vmm {

class DiscardPort : public Device {
public:
    void read(uint64_t, std::span<uint8_t> data) override { std::fill(data.begin(), data.end(), 0xff); }
    void write(uint64_t, std::span<const uint8_t>) override {}
};

} // namespace cocoon::vmm
