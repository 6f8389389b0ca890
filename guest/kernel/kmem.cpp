#include "kernel/kmem.h"

extern "C" uint64_t boot_pml4[512];

namespace kernel {
namespace {
DirectMap the_direct_map;
mm::FrameAllocator the_frames(the_direct_map);
} // namespace

DirectMap& direct_map() { return the_direct_map; }
mm::FrameAllocator& frames() { return the_frames; }
uint64_t kernel_root() { return reinterpret_cast<uint64_t>(boot_pml4) - layout::kernel_base; }

} // namespace kernel
