// One bus of address ranges for port I/O and one for MMIO: an exit's address finds
// its device here. Ranges may not overlap. An access no device claims is logged once
// per address (reads see all ones, as on real hardware) and the guest carries on.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
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

    uint64_t unclaimed_accesses() const { return unclaimed_; }

private:
    struct Range {
        uint64_t size;
        Device* device;
    };
    const std::pair<const uint64_t, Range>* find(uint64_t address) const;
    void log_unclaimed(uint64_t address, size_t size, bool write);

    std::string name_;
    std::map<uint64_t, Range> ranges_;  // by base
    std::set<uint64_t> logged_;         // unclaimed addresses already reported
    uint64_t unclaimed_ = 0;
};

} // namespace cocoon::vmm
