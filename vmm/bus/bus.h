// One bus of address ranges for port I/O and one for MMIO: an exit's address finds
// its device here. Ranges may not overlap. An access no device claims is logged once
// per address (reads see all ones, as on real hardware) and the guest carries on.
//
// Ranges are added while the machine is built; then every vCPU thread reads and writes
// through the bus at once: the ranges are only read, the unclaimed accesses are counted
// under a mutex, and each device guards its own state (device.h).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>

#include "vmm/bus/device.h"

namespace cocoon::vmm {

class Bus {
public:
    explicit Bus(std::string name) : name_(std::move(name)) {}

    // Throws std::invalid_argument if [base, base + size) overlaps a registered range.
    void add(uint64_t base, uint64_t size, Device& device);

    // Returns false when no device claims the address.
    bool read(uint64_t address, std::span<uint8_t> data);
    bool write(uint64_t address, std::span<const uint8_t> data);

    uint64_t unclaimed_accesses() const;

private:
    struct Range {
        uint64_t size;
        Device* device;
    };
    const std::pair<const uint64_t, Range>* find(uint64_t address) const;
    void log_unclaimed(uint64_t address, size_t size, bool write);

    std::string name_;
    std::map<uint64_t, Range> ranges_;  // by base
    mutable std::mutex unclaimed_mutex_;
    std::set<uint64_t> logged_;         // unclaimed addresses already reported
    uint64_t unclaimed_ = 0;
};

} // namespace cocoon::vmm
