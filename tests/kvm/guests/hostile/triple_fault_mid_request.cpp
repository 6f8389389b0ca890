// triple_fault_mid_request: sets up disk 0, submits four 8 MiB reads at once, notifies
// and at once loads an empty IDT and traps: a triple fault while cocoon's event thread
// is (most likely) still copying the disk into guest RAM.
#include "hostile/common.h"

using namespace hostile;
using namespace cocoon::virtio;

extern "C" int guest_main(uint32_t) {
    Blk blk;
    if (!blk.setup(cocoon::platform::virtio_mmio_base, 0x200000, 16)) {
        println("triple_fault_mid_request: no disk");
        return 1;
    }
    constexpr uint32_t chunk = 8u << 20;
    for (uint16_t r = 0; r < 4; ++r) {
        uint16_t d = static_cast<uint16_t>(3 * r);
        auto* h = at<volatile BlkRequestHeader>(0x300000 + 16 * r);
        h->type = blk_in;
        h->sector = uint64_t{r} * (chunk / sector_size);
        blk.set_descriptor(d, 0x300000 + 16 * r, 16, desc_next, static_cast<uint16_t>(d + 1));
        blk.set_descriptor(d + 1, 0x1000000 + uint64_t{r} * chunk, chunk, desc_write | desc_next,
                           static_cast<uint16_t>(d + 2));
        blk.set_descriptor(d + 2, 0x301000 + r, 1, desc_write);
        blk.avail()[2 + r] = d;
    }
    barrier();
    blk.avail()[1] = 4;
    barrier();
    println("triple_fault_mid_request: four 8 MiB reads submitted; faulting now");
    blk.set(reg_queue_notify, 0);
    struct [[gnu::packed]] {
        uint16_t limit;
        uint64_t base;
    } empty{0, 0};
    asm volatile("lidt %0; int3" ::"m"(empty));
    return 1;
}
