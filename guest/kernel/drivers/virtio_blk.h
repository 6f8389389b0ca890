// A virtio-blk driver over virtio-mmio (virtio 1.x): it finds the devices the command
// line names, negotiates features, sets up one queue per device and carries out one
// request at a time per device. The process that asked sleeps until the device's
// interrupt says the request is done, and the others run meanwhile; before any
// process exists the kernel waits with interrupts on.
#pragma once
#include <stdint.h>

#include "kernel/lib/result.h"

namespace kernel::drivers {

struct BlockInfo {
    uint64_t sectors;  // of 512 bytes
    bool read_only;
};

inline constexpr int max_block_devices = 8;

// Probes every virtio_mmio.device= of the command line; reports what it found.
void probe_block_devices(const char* cmdline);
int block_device_count();
BlockInfo block_info(int device);

// A piece of a request's buffer in guest-physical memory, within one page.
struct PhysicalPiece {
    uint64_t address;
    uint32_t length;
};
inline constexpr int max_request_pieces = 17;  // 64 KiB, page-aligned or not

// Cuts [virt, virt + bytes) at page boundaries into `out` (room for `room`), each
// piece's address from `to_physical(virt)`; returns how many pieces that took, or
// room + 1 when they do not fit.
template <typename ToPhysical>
int split_at_pages(uint64_t virt, uint64_t bytes, ToPhysical to_physical, PhysicalPiece* out, int room) {
    constexpr uint64_t page = 4096;
    int count = 0;
    for (uint64_t at = virt, end = virt + bytes; at < end; ++count) {
        if (count == room) return room + 1;
        uint64_t piece = page - (at & (page - 1));
        if (piece > end - at) piece = end - at;
        out[count] = {to_physical(at), static_cast<uint32_t>(piece)};
        at += piece;
    }
    return count;
}

// A read or write into physical pieces (a user buffer the caller has translated and
// made present); at most max_request_pieces, their total a multiple of 512.
ErrorOr<void> block_transfer(int device, bool write, uint64_t sector, const PhysicalPiece* pieces, int count);

// `bytes` a multiple of 512, the buffer in kernel memory. EIO for a device error,
// EINVAL for a request outside the disk, EROFS for a write to a read-only disk.
ErrorOr<void> block_read(int device, uint64_t sector, void* buffer, uint32_t bytes);
ErrorOr<void> block_write(int device, uint64_t sector, const void* buffer, uint32_t bytes);
ErrorOr<void> block_flush(int device);

// From the interrupt handler: true if `irq` belongs to a block device.
bool block_interrupt(uint8_t irq);
// From the timer tick: completes requests of devices whose IRQ cannot reach the CPU.
void block_poll();

} // namespace kernel::drivers
