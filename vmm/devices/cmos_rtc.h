// The MC146818 real-time clock and CMOS RAM at ports 0x70 (index; bit 7, the NMI mask,
// is ignored) and 0x71 (data), as PCs have them. The time is the host's wall clock in
// UTC, in BCD or binary and in 24- or 12-hour form as status register B asks; the
// update-in-progress flag is set for the 244 µs before each second ticks over, since
// Linux reads the time only while it is clear, and the century is at 0x32. Every other
// byte of the 128 is RAM that reads back what the guest last wrote.
//
// Not modelled: interrupts (IRQ 8 for periodic, alarm and update-ended events), and
// setting the time: the host's clock stays the truth, so writes to the time registers
// are kept but never read back.
//
// Every access comes from a vCPU thread, any of them: a mutex keeps the index and the
// RAM whole (pairing an index with its data is the guest's business, as on a PC).
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

#include "vmm/bus/device.h"

namespace cocoon::vmm {

class CmosRtc : public Device {
public:
    using WallClock = std::function<std::chrono::system_clock::time_point()>;
    explicit CmosRtc(WallClock wall_clock = std::chrono::system_clock::now);
    void read(uint64_t offset, std::span<uint8_t> data) override;
    void write(uint64_t offset, std::span<const uint8_t> data) override;

private:
    uint8_t read_register(uint8_t index) const;
    uint8_t time_register(uint8_t index, std::chrono::system_clock::time_point now) const;
    uint8_t encode(unsigned value) const;  // BCD unless status B asks for binary

    WallClock wall_clock_;
    std::mutex mutex_;
    uint8_t index_ = 0;
    std::array<uint8_t, 128> ram_{};
};

} // namespace cocoon::vmm
