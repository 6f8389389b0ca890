// How the portable core reaches physical memory: through the direct map in the
// kernel, through a plain buffer in the host's unit tests.
#pragma once
#include <stdint.h>

namespace kernel::mm {

class PhysicalMemory {
public:
    virtual uint8_t* at(uint64_t phys) = 0;  // the frame's bytes, writable
    template <typename T>
    T* as(uint64_t phys) { return reinterpret_cast<T*>(at(phys)); }

protected:
    ~PhysicalMemory() = default;
};

} // namespace kernel::mm
