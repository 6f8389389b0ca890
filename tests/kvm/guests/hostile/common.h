// What the hostile guests share: port and MMIO access, a console, a clock, a fixed-seed
// xorshift, the machine's RAM size, and a small virtio-blk driver that does things by
// the book so that a guest can then break them on purpose. Freestanding, identity
// mapped (physical = virtual), one CPU, interrupts off unless a guest turns them on.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "cocoon/platform.h"
#include "cocoon/virtio.h"

namespace hostile {

inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
inline void outw(uint16_t port, uint16_t v) { asm volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
inline void outl(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
inline uint8_t inb(uint16_t port) { uint8_t v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
inline uint16_t inw(uint16_t port) { uint16_t v; asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
inline uint32_t inl(uint16_t port) { uint32_t v; asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

template <typename T> inline void mmio_write(uint64_t address, T value) {
    *reinterpret_cast<volatile T*>(address) = value;
}
template <typename T> inline T mmio_read(uint64_t address) { return *reinterpret_cast<volatile T*>(address); }
template <typename T> inline T* at(uint64_t address) { return reinterpret_cast<T*>(address); }
inline void barrier() { asm volatile("mfence" ::: "memory"); }

// xorshift64 with a fixed seed: every run does the same thing.
struct Rng {
    uint64_t s;
    uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
};

void print(const char* text);
void print_dec(uint64_t value);
void print_hex(uint64_t value);
void println(const char* text);

// Milliseconds from the TSC, at the frequency cocoon's trace device reports.
uint64_t now_ms();
// One past the highest byte of RAM in the PVH memory map.
uint64_t ram_end(uint32_t start_info);

// A virtio-blk device at `base` driven through one split queue of `size` entries whose
// rings start at `rings` (descriptors, then the available ring at +0x400, the used
// ring at +0x800).
struct Blk {
    uint64_t base = 0;
    uint64_t rings = 0;
    uint16_t size = 0;
    uint16_t avail_idx = 0;  // the next available index the driver publishes
    uint16_t used_seen = 0;  // used entries already consumed
    uint64_t capacity = 0;   // sectors
    bool read_only = false;

    uint32_t reg(uint32_t offset) const { return mmio_read<uint32_t>(base + offset); }
    void set(uint32_t offset, uint32_t value) const { mmio_write<uint32_t>(base + offset, value); }
    cocoon::virtio::Descriptor* desc() const { return at<cocoon::virtio::Descriptor>(rings); }
    volatile uint16_t* avail() const { return at<volatile uint16_t>(rings + 0x400); }
    volatile uint16_t* used_idx() const { return at<volatile uint16_t>(rings + 0x800 + 2); }
    volatile cocoon::virtio::UsedElem* used_elems() const {
        return at<volatile cocoon::virtio::UsedElem>(rings + 0x804);
    }

    // Reset, negotiate VERSION_1 and INDIRECT_DESC (and RO if offered), start the queue.
    bool setup(uint64_t mmio_base, uint64_t ring_memory, uint16_t queue_size);
    // Publishes `head` in the available ring and notifies.
    void submit(uint16_t head);
    // Waits up to `ms` for the next used entry; false if none came.
    bool wait_used(uint32_t& id, uint32_t& len, uint32_t ms);
    void set_descriptor(uint16_t index, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next = 0) const;
};

// Lays out a request at `header` (16 bytes) and `status` (1 byte, set to 0xff first) in
// descriptors 0..2 of the queue: header, `data` of `len` bytes (device-writable for
// IN), status. Returns the head, 0.
uint16_t simple_request(const Blk& blk, uint32_t type, uint64_t sector, uint64_t header, uint64_t data,
                        uint32_t len, uint64_t status);

} // namespace hostile

extern "C" void* memset(void* dst, int value, size_t n);
extern "C" void* memcpy(void* dst, const void* src, size_t n);
extern "C" int memcmp(const void* a, const void* b, size_t n);
