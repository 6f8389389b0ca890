// An address space drawn the way the chapter draws it: one tall bar, address 0 at the
// top, then code, data and heap, the free space, the stack at the bottom of the user
// half, and the kernel half as one band beneath. Regions span from 4 KiB to 2^47
// bytes, so each block's height is to scale on a log axis: log2 of its size.
#pragma once
#include <string>

#include "vmm/introspect/address_space_map.h"

namespace cocoon::vmm {

std::string render_map_svg(const AddressSpaceMap& map);

} // namespace cocoon::vmm
