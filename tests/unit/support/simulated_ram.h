// Physical memory for the guest's portable core on the host: a plain byte buffer.
#pragma once
#include <cstddef>
#include <vector>

#include "kernel/mm/physical_memory.h"

namespace test {

class SimulatedRam final : public kernel::mm::PhysicalMemory {
public:
    explicit SimulatedRam(size_t frames) : bytes_(frames * 4096) {}
    uint8_t* at(uint64_t phys) override { return bytes_.data() + phys; }

private:
    std::vector<uint8_t> bytes_;
};

} // namespace test
