// The page walker and the map built on it, over guest RAM the fuzzer writes: the
// first 8 bytes pick CR3, the rest is memory. Any table, however twisted, must be
// walked in bounded time without touching anything outside RAM.
#include <cstring>

#include "vmm/introspect/address_space_map.h"
#include "vmm/introspect/map_svg.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace cocoon::vmm;
    if (size < 8) return 0;
    uint64_t cr3;
    std::memcpy(&cr3, data, 8);
    static GuestMemory memory(32 * 4096);
    auto ram = memory.span(0, memory.size());
    std::memset(ram->data(), 0, ram->size());
    std::memcpy(ram->data(), data + 8, std::min<size_t>(size - 8, ram->size()));
    cr3 &= memory.size() * 2 - 1;  // mostly inside RAM, sometimes just past it
    AddressSpaceMap map = map_address_space(memory, cr3, "fuzz");
    (void)format_map(map);
    (void)render_map_svg(map);
    (void)translate(memory, cr3, cr3 * 0x9e3779b97f4a7c15ull);
    return 0;
}
