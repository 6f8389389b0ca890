// virtio 1.x over virtio-mmio, as the VMM's device and the kernel's driver both see it:
// the register map (virtio spec 4.2.2), the split virtqueue's layout (2.7), and the
// block device's configuration and requests (5.2). Only what cocoon uses.
#pragma once
#include <stdint.h>

namespace cocoon::virtio {

inline constexpr uint32_t mmio_magic = 0x74726976;  // "virt"
inline constexpr uint32_t mmio_version = 2;         // modern: no legacy interface
inline constexpr uint32_t vendor_id = 0x4e4f4f43;   // "COON"

// virtio-mmio registers, 32 bits wide, at offsets into the device's window.
enum MmioRegister : uint32_t {
    reg_magic = 0x000,
    reg_version = 0x004,
    reg_device_id = 0x008,
    reg_vendor_id = 0x00c,
    reg_device_features = 0x010,
    reg_device_features_sel = 0x014,
    reg_driver_features = 0x020,
    reg_driver_features_sel = 0x024,
    reg_queue_sel = 0x030,
    reg_queue_num_max = 0x034,
    reg_queue_num = 0x038,
    reg_queue_ready = 0x044,
    reg_queue_notify = 0x050,
    reg_interrupt_status = 0x060,
    reg_interrupt_ack = 0x064,
    reg_status = 0x070,
    reg_queue_desc_lo = 0x080,
    reg_queue_desc_hi = 0x084,
    reg_queue_avail_lo = 0x090,
    reg_queue_avail_hi = 0x094,
    reg_queue_used_lo = 0x0a0,
    reg_queue_used_hi = 0x0a4,
    reg_config_generation = 0x0fc,
    reg_config = 0x100,
};

// Device status bits (2.1).
inline constexpr uint32_t status_acknowledge = 1;
inline constexpr uint32_t status_driver = 2;
inline constexpr uint32_t status_driver_ok = 4;
inline constexpr uint32_t status_features_ok = 8;
inline constexpr uint32_t status_needs_reset = 64;
inline constexpr uint32_t status_failed = 128;

inline constexpr uint32_t interrupt_used_buffer = 1;  // InterruptStatus bit 0

// Feature bits (6, 5.2.3).
inline constexpr unsigned feature_blk_seg_max = 2;
inline constexpr unsigned feature_blk_ro = 5;
inline constexpr unsigned feature_blk_blk_size = 6;
inline constexpr unsigned feature_blk_flush = 9;
inline constexpr unsigned feature_indirect_desc = 28;
inline constexpr unsigned feature_version_1 = 32;

inline constexpr uint32_t device_id_block = 2;

// The split virtqueue (2.7): a descriptor table, the driver's available ring and the
// device's used ring, each in guest memory, little-endian.
struct Descriptor {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
inline constexpr uint16_t desc_next = 1;      // `next` is valid
inline constexpr uint16_t desc_write = 2;     // device writes this buffer
inline constexpr uint16_t desc_indirect = 4;  // the buffer is a table of descriptors

// Available ring: flags, idx, ring[size]; used ring: flags, idx, UsedElem[size].
inline constexpr uint16_t avail_no_interrupt = 1;
struct UsedElem {
    uint32_t id;   // head of the chain
    uint32_t len;  // bytes the device wrote into it
};
inline constexpr uint64_t avail_ring_offset = 4;  // past flags and idx
inline constexpr uint64_t used_ring_offset = 4;

// virtio-blk (5.2).
inline constexpr uint32_t sector_size = 512;
struct BlkConfig {
    uint64_t capacity;  // in 512-byte sectors
    uint32_t size_max;
    uint32_t seg_max;
    uint16_t cylinders;
    uint8_t heads;
    uint8_t sectors;
    uint32_t blk_size;
};

struct BlkRequestHeader {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};
inline constexpr uint32_t blk_in = 0;      // read from the disk
inline constexpr uint32_t blk_out = 1;     // write to the disk
inline constexpr uint32_t blk_flush = 4;
inline constexpr uint32_t blk_get_id = 8;
inline constexpr uint32_t blk_id_bytes = 20;

inline constexpr uint8_t blk_s_ok = 0;
inline constexpr uint8_t blk_s_ioerr = 1;
inline constexpr uint8_t blk_s_unsupp = 2;

} // namespace cocoon::virtio
