#include "kernel/drivers/virtio_blk.h"

#include "cocoon/syscalls.h"
#include "cocoon/trace.h"
#include "cocoon/virtio.h"
#include "kernel/arch/apic.h"
#include "kernel/arch/console.h"
#include "kernel/arch/timer.h"
#include "kernel/arch/x86.h"
#include "kernel/drivers/virtio_mmio_cmdline.h"
#include "kernel/kmem.h"
#include "kernel/layout.h"
#include "kernel/proc/process.h"
#include "kernel/trace.h"

namespace kernel::drivers {
namespace {

using namespace cocoon::virtio;
namespace sys = cocoon::sys;

constexpr uint16_t queue_entries = 32;
constexpr uint32_t max_request_bytes = 64 << 10;

struct UsedRing {
    uint16_t flags;
    volatile uint16_t idx;
    UsedElem ring[queue_entries];
};

struct AvailRing {
    uint16_t flags;
    volatile uint16_t idx;
    uint16_t ring[queue_entries];
};

struct BlockDevice {
    volatile uint32_t* regs = nullptr;
    uint32_t irq = 0;
    int index = 0;
    BlockInfo info{};
    Descriptor* desc = nullptr;
    AvailRing* avail = nullptr;
    UsedRing* used = nullptr;
    BlkRequestHeader* header = nullptr;  // in the same frame as the status byte
    volatile uint8_t* status = nullptr;
    uint16_t used_seen = 0;
    bool busy = false;      // a request is in flight
    volatile bool done = false;
    bool polled = false;    // no way to route its IRQ: completions found on the tick
};

BlockDevice devices[max_block_devices];
int device_count = 0;

void barrier() { asm volatile("" ::: "memory"); }

uint32_t reg(const BlockDevice& d, uint32_t offset) { return d.regs[offset / 4]; }
void set_reg(BlockDevice& d, uint32_t offset, uint32_t value) { d.regs[offset / 4] = value; }

// The rings live in zeroed frames; virtio wants their physical addresses.
void* ring_frame(uint64_t* phys) {
    auto frame = frames().allocate();
    if (!frame.ok()) return nullptr;
    *phys = frame.value();
    return phys_to_virt(frame.value());
}

bool set_up(BlockDevice& d, const MmioWindow& w) {
    d.regs = static_cast<volatile uint32_t*>(phys_to_virt(w.base));
    d.irq = w.irq;
    if (reg(d, reg_magic) != mmio_magic || reg(d, reg_version) != mmio_version) return false;
    if (reg(d, reg_device_id) != device_id_block) return false;
    set_reg(d, reg_status, 0);
    set_reg(d, reg_status, status_acknowledge | status_driver);
    set_reg(d, reg_device_features_sel, 1);
    bool version_1 = reg(d, reg_device_features) & 1;
    set_reg(d, reg_device_features_sel, 0);
    uint32_t offered = reg(d, reg_device_features);
    if (!version_1) return false;
    uint32_t wanted = offered & ((1u << feature_blk_ro) | (1u << feature_blk_flush));
    set_reg(d, reg_driver_features_sel, 1);
    set_reg(d, reg_driver_features, 1);
    set_reg(d, reg_driver_features_sel, 0);
    set_reg(d, reg_driver_features, wanted);
    set_reg(d, reg_status, status_acknowledge | status_driver | status_features_ok);
    if (!(reg(d, reg_status) & status_features_ok)) return false;

    set_reg(d, reg_queue_sel, 0);
    if (reg(d, reg_queue_ready) || reg(d, reg_queue_num_max) < queue_entries) return false;
    uint64_t desc_phys = 0, avail_phys = 0, used_phys = 0, request_phys = 0;
    d.desc = static_cast<Descriptor*>(ring_frame(&desc_phys));
    d.avail = static_cast<AvailRing*>(ring_frame(&avail_phys));
    d.used = static_cast<UsedRing*>(ring_frame(&used_phys));
    auto* request = static_cast<uint8_t*>(ring_frame(&request_phys));
    if (!d.desc || !d.avail || !d.used || !request) return false;
    d.header = reinterpret_cast<BlkRequestHeader*>(request);
    d.status = request + sizeof(BlkRequestHeader);
    set_reg(d, reg_queue_num, queue_entries);
    set_reg(d, reg_queue_desc_lo, static_cast<uint32_t>(desc_phys));
    set_reg(d, reg_queue_desc_hi, static_cast<uint32_t>(desc_phys >> 32));
    set_reg(d, reg_queue_avail_lo, static_cast<uint32_t>(avail_phys));
    set_reg(d, reg_queue_avail_hi, static_cast<uint32_t>(avail_phys >> 32));
    set_reg(d, reg_queue_used_lo, static_cast<uint32_t>(used_phys));
    set_reg(d, reg_queue_used_hi, static_cast<uint32_t>(used_phys >> 32));
    set_reg(d, reg_queue_ready, 1);

    auto* config = reinterpret_cast<volatile uint32_t*>(reinterpret_cast<volatile uint8_t*>(d.regs) + reg_config);
    d.info.sectors = config[0] | (uint64_t{config[1]} << 32);
    d.info.read_only = wanted & (1u << feature_blk_ro);
    set_reg(d, reg_status, status_acknowledge | status_driver | status_features_ok | status_driver_ok);
    if (d.irq < 16) timer::unmask_irq(static_cast<uint8_t>(d.irq));
    else d.polled = !apic::route_ioapic_pin(static_cast<uint8_t>(d.irq));  // past the 8259s
    return true;
}

// The device used the chain in flight: the request is done, its waiters may run.
void complete_if_used(BlockDevice& d) {
    // Used buffers are the only interrupt cause the driver enables, so it acknowledges
    // that bit without reading InterruptStatus: a read is an exit on every VMM, while
    // cocoon takes this write by ioeventfd. (QEMU needs it to lower its level IRQ.)
    set_reg(d, reg_interrupt_ack, interrupt_used_buffer);
    if (d.used->idx != d.used_seen) {
        d.used_seen = d.used->idx;
        d.done = true;
        proc::wake_all(&d);
    }
}

// Waits for the device: the caller sleeps, or before any process exists the CPU halts
// with interrupts on until an interrupt arrives (sti's shadow covers the hlt).
void wait_for(BlockDevice& d) {
    if (proc::current()) proc::sleep_on(&d);
    else asm volatile("sti; hlt; cli" ::: "memory");
    if (d.polled) complete_if_used(d);
}

// One request: header, the buffer's pieces, status.
ErrorOr<void> submit(BlockDevice& d, uint32_t type, uint64_t sector, const PhysicalPiece* pieces, int count) {
    while (d.busy) wait_for(d);
    d.busy = true;
    d.done = false;
    *d.header = BlkRequestHeader{type, 0, sector};
    *d.status = 0xff;
    uint16_t n = 0;
    uint32_t bytes = 0;
    d.desc[n++] = Descriptor{virt_to_phys(d.header), sizeof(BlkRequestHeader), desc_next, 1};
    uint16_t data_flags = desc_next | (type == blk_in ? desc_write : 0);
    for (int i = 0; i < count; ++i, ++n) {
        d.desc[n] = Descriptor{pieces[i].address, pieces[i].length, data_flags, static_cast<uint16_t>(n + 1)};
        bytes += pieces[i].length;
    }
    d.desc[n++] = Descriptor{virt_to_phys(const_cast<uint8_t*>(d.status)), 1, desc_write, 0};
    d.avail->ring[d.avail->idx % queue_entries] = 0;
    barrier();
    d.avail->idx = static_cast<uint16_t>(d.avail->idx + 1);
    barrier();
    uint64_t started = x86::rdtsc();
    set_reg(d, reg_queue_notify, 0);
    while (!d.done) wait_for(d);
    uint8_t status = *d.status;
    trace::disk(proc::current() ? static_cast<uint32_t>(proc::current()->pid) : 0, static_cast<uint16_t>(d.index),
                sector, bytes, static_cast<uint8_t>(type), status, x86::rdtsc() - started);
    d.busy = false;
    proc::wake_all(&d);
    if (status != blk_s_ok) return Error{sys::eio};
    return {};
}

BlockDevice* device(int index) { return index >= 0 && index < device_count ? &devices[index] : nullptr; }

ErrorOr<void> transfer(int index, uint32_t type, uint64_t sector, const PhysicalPiece* pieces, int count) {
    BlockDevice* d = device(index);
    if (!d) return Error{sys::enoent};
    uint64_t bytes = 0;
    for (int i = 0; i < count; ++i) bytes += pieces[i].length;
    if (count > max_request_pieces || bytes > max_request_bytes || bytes % sector_size) return Error{sys::einval};
    if (bytes / sector_size > d->info.sectors || sector > d->info.sectors - bytes / sector_size)
        return Error{sys::einval};
    if (type == blk_out && d->info.read_only) return Error{sys::erofs};
    return submit(*d, type, sector, pieces, count);
}

// A kernel buffer's pieces: its pages' physical addresses.
int kernel_pieces(const void* buffer, uint32_t bytes, PhysicalPiece* pieces) {
    auto to_physical = [](uint64_t at) { return virt_to_phys(reinterpret_cast<void*>(at)); };
    return split_at_pages(reinterpret_cast<uint64_t>(buffer), bytes, to_physical, pieces, max_request_pieces);
}

} // namespace

void probe_block_devices(const char* cmdline) {
    MmioWindow windows[max_mmio_windows];
    int count = parse_virtio_mmio_devices(cmdline, windows);
    for (int i = 0; i < count && device_count < max_block_devices; ++i) {
        BlockDevice& d = devices[device_count];
        d.index = device_count;
        if (!set_up(d, windows[i])) {
            kprintf("[kernel] no usable virtio-blk device at %lx\n", windows[i].base);
            d = BlockDevice{};
            continue;
        }
        kprintf("[kernel] disk %d: virtio-blk at %lx, IRQ %u%s, %lu KiB%s\n", device_count, windows[i].base,
                windows[i].irq, d.polled ? " (not routable: completions polled on the tick)" : d.irq >= 16 ? " (IOAPIC)" : "",
                d.info.sectors / 2, d.info.read_only ? ", read-only" : "");
        ++device_count;
    }
}

int block_device_count() { return device_count; }
BlockInfo block_info(int index) { return device(index) ? device(index)->info : BlockInfo{}; }

ErrorOr<void> block_transfer(int index, bool write, uint64_t sector, const PhysicalPiece* pieces, int count) {
    return transfer(index, write ? blk_out : blk_in, sector, pieces, count);
}

ErrorOr<void> block_read(int index, uint64_t sector, void* buffer, uint32_t bytes) {
    PhysicalPiece pieces[max_request_pieces];
    return transfer(index, blk_in, sector, pieces, kernel_pieces(buffer, bytes, pieces));
}

ErrorOr<void> block_write(int index, uint64_t sector, const void* buffer, uint32_t bytes) {
    PhysicalPiece pieces[max_request_pieces];
    return transfer(index, blk_out, sector, pieces, kernel_pieces(buffer, bytes, pieces));
}

ErrorOr<void> block_flush(int index) {
    BlockDevice* d = device(index);
    if (!d) return Error{sys::enoent};
    return submit(*d, blk_flush, 0, nullptr, 0);
}

bool block_interrupt(uint8_t irq) {
    bool ours = false;
    for (int i = 0; i < device_count; ++i) {
        if (devices[i].irq != irq) continue;
        ours = true;
        complete_if_used(devices[i]);
    }
    return ours;
}

void block_poll() {
    for (int i = 0; i < device_count; ++i)
        if (devices[i].polled && devices[i].busy) complete_if_used(devices[i]);
}

} // namespace kernel::drivers
