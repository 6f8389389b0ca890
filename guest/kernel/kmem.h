// The kernel's physical memory: the direct map, the frame allocator, the kernel's
// own page-table root (the template for every process's kernel half).
#pragma once
#include <stdint.h>

#include "kernel/layout.h"
#include "kernel/mm/frame_allocator.h"

namespace kernel {

class DirectMap final : public mm::PhysicalMemory {
public:
    uint8_t* at(uint64_t phys) override { return reinterpret_cast<uint8_t*>(layout::direct_map + phys); }
};

DirectMap& direct_map();
mm::FrameAllocator& frames();
uint64_t kernel_root();
inline void* phys_to_virt(uint64_t phys) { return reinterpret_cast<void*>(layout::direct_map + phys); }
// For kernel addresses only: the direct map, or the kernel image (+1 MiB at kernel_base).
inline uint64_t virt_to_phys(const void* virt) {
    auto v = reinterpret_cast<uint64_t>(virt);
    return v >= layout::kernel_base ? v - layout::kernel_base : v - layout::direct_map;
}

} // namespace kernel
