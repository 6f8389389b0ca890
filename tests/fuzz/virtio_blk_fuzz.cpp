// virtio-blk over virtio-mmio with rings the fuzzer writes: the first bytes are the
// queue size and the avail index, the rest is guest RAM holding the descriptor table,
// the rings, indirect tables and requests. Whatever the driver wrote, the device must
// answer in bounded time, never touch memory outside RAM and never write outside the
// image (which is read-only here, so a write reaching it would also be a finding).
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

#include "cocoon/virtio.h"
#include "scratch_image.h"
#include "vmm/devices/virtio_blk.h"
#include "vmm/virtio/mmio_transport.h"

using namespace cocoon::vmm;
using namespace cocoon::virtio;

namespace {

struct NoIrq final : IrqLine {
    void raise() override {}
};

void set(VirtioMmioTransport& mmio, uint32_t offset, uint32_t value) {
    mmio.write(offset, std::span(reinterpret_cast<const uint8_t*>(&value), 4));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static GuestMemory memory(64 * 4096);
    static std::string path = make_scratch_image();
    static DiskImage image(path, true);
    static bool quiet = (spdlog::set_level(spdlog::level::off), true);
    (void)quiet;
    if (size < 4) return 0;
    auto ram = memory.span(0, memory.size());
    std::memset(ram->data(), 0, ram->size());
    std::memcpy(ram->data(), data + 4, std::min<size_t>(size - 4, ram->size()));

    VirtioBlk blk(memory, image, "fuzz");
    NoIrq irq;
    VirtioMmioTransport mmio(blk, irq);
    set(mmio, reg_status, status_acknowledge | status_driver);
    set(mmio, reg_driver_features_sel, 1);
    set(mmio, reg_driver_features, 1);
    set(mmio, reg_status, status_acknowledge | status_driver | status_features_ok);
    set(mmio, reg_queue_num, 1u << (data[0] % 9));           // 1..256
    set(mmio, reg_queue_desc_lo, 0x0000);
    set(mmio, reg_queue_avail_lo, 0x1000 + data[1] * 2);     // sometimes overlapping the table
    set(mmio, reg_queue_used_lo, 0x2000 + data[2] * 4);
    set(mmio, reg_queue_ready, 1);
    set(mmio, reg_status, status_acknowledge | status_driver | status_features_ok | status_driver_ok);
    memory.write<uint16_t>(0x1000 + data[1] * 2 + 2, static_cast<uint16_t>(data[3] * 3));
    mmio.notify(0);
    mmio.notify(0);
    return 0;
}
