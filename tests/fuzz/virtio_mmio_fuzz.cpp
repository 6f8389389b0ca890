// The virtio-mmio register window with a virtio-blk device behind it, driven the way a
// driver (or anything else in the guest) may drive it: accesses of 1, 2, 4 or 8 bytes
// anywhere in the window, in any order — feature negotiation, queue setup, status
// writes and resets, QueueNotify, InterruptACK, the configuration space — with stores
// into guest RAM between them (the rings, the available index).
//
// Input: one byte N, then N operations of 8 bytes, then guest RAM from address 0.
//   operation: kind (bits 0-2 what, bits 3-4 log2 of the access size), offset (2 bytes,
//   little-endian, modulo the window), one spare byte, value (4 bytes; an 8-byte write
//   repeats it). A RAM store takes its address from the offset bytes (times 4).
//
// Must hold: no crash, no access outside RAM (fenced), bounded work per access (a hang
// is libFuzzer's timeout), and the window's rules: every byte of a read is defined and
// a read changes nothing; the identity registers read their constants; a register read
// of any width or alignment but 4 aligned reads all ones; the configuration space reads
// the device's configuration and zeros past it; status 0 resets the transport;
// FEATURES_OK holds only for features the device offered, VERSION_1 among them; an
// interrupt is raised only with InterruptStatus set; the disk (read-only) is never
// written.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

#include "cocoon/platform.h"
#include "cocoon/virtio.h"
#include "fenced_memory.h"
#include "scratch_image.h"
#include "vmm/devices/virtio_blk.h"
#include "vmm/virtio/mmio_transport.h"

using namespace cocoon::vmm;
using namespace cocoon::virtio;

namespace {

struct CountingIrq final : IrqLine {
    uint64_t raised = 0;
    void raise() override { ++raised; }
};

enum Kind : uint8_t {
    op_read,
    op_write,
    op_write_more,     // writes are what moves the device: give them two kinds
    op_notify,         // QueueNotify through the ioeventfd (the event thread's path)
    op_notify_all,     // the ioeventfd without a datamatch
    op_ack,            // InterruptACK through its ioeventfd
    op_store,          // the driver writes guest RAM
    op_store_more,
};

constexpr size_t op_bytes = 8;
constexpr uint64_t window = cocoon::platform::virtio_mmio_size;

void check(bool holds, const char* what) {
    if (holds) return;
    std::fprintf(stderr, "virtio_mmio_fuzz: %s\n", what);
    std::abort();
}

// Reads twice into buffers filled with different patterns: a byte the transport left
// alone shows as a difference, and so would a read with a side effect.
uint64_t read_window(VirtioMmioTransport& mmio, uint64_t offset, size_t size) {
    uint8_t first[8], second[8];
    std::memset(first, 0xa5, sizeof first);
    std::memset(second, 0x5a, sizeof second);
    mmio.read(offset, std::span(first, size));
    mmio.read(offset, std::span(second, size));
    check(std::memcmp(first, second, size) == 0, "a read left bytes undefined, or changed what it read");
    uint64_t value = 0;
    std::memcpy(&value, first, size);
    return value;
}

uint32_t read32(VirtioMmioTransport& mmio, uint64_t offset) { return static_cast<uint32_t>(read_window(mmio, offset, 4)); }

void check_read(VirtioMmioTransport& mmio, const VirtioBlk& blk, uint64_t offset, size_t size, uint64_t value) {
    uint8_t bytes[8];
    std::memcpy(bytes, &value, sizeof bytes);
    if (offset >= reg_config) {
        std::span<const uint8_t> config = blk.config();
        for (size_t i = 0; i < size; ++i) {
            uint64_t at = offset - reg_config + i;
            check(bytes[i] == (at < config.size() ? config[at] : 0), "the configuration space read wrong");
        }
        return;
    }
    if (size != 4 || offset % 4) {
        for (size_t i = 0; i < size; ++i) check(bytes[i] == 0xff, "a misfit register read is not all ones");
        return;
    }
    switch (offset) {
    case reg_magic: check(value == mmio_magic, "MagicValue"); break;
    case reg_version: check(value == mmio_version, "Version"); break;
    case reg_device_id: check(value == device_id_block, "DeviceID"); break;
    case reg_vendor_id: check(value == vendor_id, "VendorID"); break;
    case reg_status: check(value == mmio.status(), "Status reads other than the transport's status"); break;
    case reg_queue_ready: check(value <= 1, "QueueReady is not 0 or 1"); break;
    case reg_interrupt_status: check(value <= interrupt_used_buffer, "InterruptStatus has an unknown cause"); break;
    case reg_config_generation: check(value == 0, "ConfigGeneration changed"); break;
    default: break;
    }
}

// What the driver asked for, as the transport must have recorded it: DriverFeatures
// are taken only while FEATURES_OK is clear, through a 4-byte aligned write.
struct DriverModel {
    uint32_t features_sel = 0;
    uint64_t features = 0;

    void wrote(uint64_t offset, size_t size, uint32_t value, uint32_t status_before) {
        if (size != 4) return;
        if (offset == reg_driver_features_sel) features_sel = value;
        if (offset == reg_driver_features && features_sel < 2 && !(status_before & status_features_ok)) {
            int shift = 32 * static_cast<int>(features_sel);
            features = (features & ~(0xffffffffull << shift)) | (uint64_t{value} << shift);
        }
        if (offset == reg_status && value == 0) *this = {};
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static cocoon::fuzz::FencedMemory memory(64 * 4096);
    static std::string path = make_scratch_image();
    static DiskImage image(path, true);
    static bool removed = (::unlink(path.c_str()), true);  // the open image outlives its name
    (void)removed;
    static bool quiet = (spdlog::set_level(spdlog::level::off), true);
    (void)quiet;
    if (size < 1) return 0;
    size_t ops = std::min<size_t>(data[0], (size - 1) / op_bytes);
    const uint8_t* op = data + 1;
    const uint8_t* ram_bytes = op + ops * op_bytes;
    auto ram = memory->span(0, memory->size());
    std::memset(ram->data(), 0, ram->size());
    std::memcpy(ram->data(), ram_bytes, std::min<size_t>(data + size - ram_bytes, ram->size()));

    VirtioBlk blk(*memory, image, "fuzz");
    CountingIrq irq;
    VirtioMmioTransport mmio(blk, irq);
    DriverModel driver;
    for (size_t i = 0; i < ops; ++i, op += op_bytes) {
        uint8_t kind = op[0] & 7;
        size_t access = size_t{1} << (op[0] >> 3 & 3);
        uint16_t raw_offset = static_cast<uint16_t>(op[1] | op[2] << 8);
        uint64_t offset = raw_offset % window;
        uint32_t value;
        std::memcpy(&value, op + 4, 4);
        uint64_t raised = irq.raised;
        uint32_t status_before = mmio.status();
        switch (kind) {
        case op_read: check_read(mmio, blk, offset, access, read_window(mmio, offset, access)); break;
        case op_write:
        case op_write_more: {
            uint8_t bytes[8];
            std::memcpy(bytes, &value, 4);
            std::memcpy(bytes + 4, &value, 4);
            mmio.write(offset, std::span<const uint8_t>(bytes, access));
            driver.wrote(offset, access, value, status_before);
            if (access == 4 && offset == reg_status && value == 0) {
                check(mmio.status() == 0, "status 0 did not reset the status");
                check(read32(mmio, reg_interrupt_status) == 0, "status 0 left an interrupt pending");
                check(read32(mmio, reg_queue_ready) == 0, "status 0 left queue 0 ready");
            }
            break;
        }
        case op_notify: mmio.notify(value); break;
        case op_notify_all: mmio.notify_all(); break;
        case op_ack: mmio.acknowledge_used_buffers(); break;
        case op_store:
        case op_store_more: memory->write<uint32_t>(uint64_t{raw_offset} * 4 % memory->size(), value); break;
        }
        if (irq.raised != raised)
            check(read32(mmio, reg_interrupt_status) & interrupt_used_buffer, "an interrupt with InterruptStatus clear");
        if (mmio.status() & status_features_ok)
            check(!(driver.features & ~blk.features()) && (driver.features >> feature_version_1 & 1),
                  "FEATURES_OK holds for features the device did not offer, or without VERSION_1");
    }
    check(blk.stats().bytes_written == 0, "a read-only disk was written");
    return 0;
}
