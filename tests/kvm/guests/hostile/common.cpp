#include "hostile/common.h"

#include "cocoon/trace.h"

using namespace cocoon;

extern "C" void* memset(void* dst, int value, size_t n) {
    auto* d = static_cast<volatile uint8_t*>(dst);
    for (size_t i = 0; i < n; ++i) d[i] = static_cast<uint8_t>(value);
    return dst;
}

extern "C" void* memcpy(void* dst, const void* src, size_t n) {
    auto* d = static_cast<volatile uint8_t*>(dst);
    auto* s = static_cast<const volatile uint8_t*>(src);
    for (size_t i = 0; i < n; ++i) d[i] = s[i];
    return dst;
}

extern "C" int memcmp(const void* a, const void* b, size_t n) {
    auto* x = static_cast<const volatile uint8_t*>(a);
    auto* y = static_cast<const volatile uint8_t*>(b);
    for (size_t i = 0; i < n; ++i)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

namespace hostile {

void print(const char* text) {
    for (; *text; ++text) {
        while (!(inb(platform::uart_port + 5) & 0x20)) {
        }
        outb(platform::uart_port, static_cast<uint8_t>(*text));
    }
}

void println(const char* text) {
    print(text);
    print("\n");
}

void print_dec(uint64_t value) {
    char digits[21];
    int n = 0;
    do digits[n++] = static_cast<char>('0' + value % 10); while (value /= 10);
    char out[21];
    for (int i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
    out[n] = 0;
    print(out);
}

void print_hex(uint64_t value) {
    char out[19] = "0x";
    int n = 0;
    for (int shift = 60; shift >= 0; shift -= 4) {
        unsigned nibble = (value >> shift) & 15;
        if (!nibble && !n && shift) continue;
        out[2 + n++] = "0123456789abcdef"[nibble];
    }
    out[2 + n] = 0;
    print(out);
}

uint64_t now_ms() {
    static uint32_t khz = 0;
    if (!khz) khz = inl(platform::trace_port + trace::trace_reg_tsc_khz);
    if (!khz || khz == 0xffffffff) khz = 1000000;  // not cocoon: guess 1 GHz
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t{hi} << 32) | lo) / khz;
}

uint64_t ram_end(uint32_t start_info) {
    // hvm_start_info (version 1): the memory map's address at +0x28, its entries at
    // +0x30; each entry is {addr, size, type, reserved}, type 1 being RAM.
    uint64_t map = *at<uint64_t>(start_info + 0x28);
    uint32_t entries = *at<uint32_t>(start_info + 0x30);
    uint64_t end = 0;
    for (uint32_t i = 0; i < entries; ++i) {
        uint64_t* e = at<uint64_t>(map + 24ull * i);
        if ((e[2] & 0xffffffff) == 1 && e[0] + e[1] > end) end = e[0] + e[1];
    }
    return end;
}

bool Blk::setup(uint64_t mmio_base, uint64_t ring_memory, uint16_t queue_size) {
    using namespace virtio;
    base = mmio_base;
    rings = ring_memory;
    size = queue_size;
    avail_idx = used_seen = 0;
    if (reg(reg_magic) != mmio_magic || reg(reg_device_id) != device_id_block) return false;
    set(reg_status, 0);
    set(reg_status, status_acknowledge);
    set(reg_status, status_acknowledge | status_driver);
    set(reg_device_features_sel, 0);
    uint64_t offered = reg(reg_device_features);
    set(reg_device_features_sel, 1);
    offered |= uint64_t{reg(reg_device_features)} << 32;
    uint64_t wanted =
        offered & ((1ull << feature_version_1) | (1ull << feature_indirect_desc) | (1ull << feature_blk_ro));
    read_only = wanted >> feature_blk_ro & 1;
    set(reg_driver_features_sel, 0);
    set(reg_driver_features, static_cast<uint32_t>(wanted));
    set(reg_driver_features_sel, 1);
    set(reg_driver_features, static_cast<uint32_t>(wanted >> 32));
    set(reg_status, status_acknowledge | status_driver | status_features_ok);
    if (!(reg(reg_status) & status_features_ok)) return false;
    capacity = mmio_read<uint32_t>(base + reg_config) | uint64_t{mmio_read<uint32_t>(base + reg_config + 4)} << 32;
    memset(at<void>(rings), 0, 0x1000);
    set(reg_queue_sel, 0);
    if (reg(reg_queue_num_max) < size) return false;
    set(reg_queue_num, size);
    set(reg_queue_desc_lo, static_cast<uint32_t>(rings));
    set(reg_queue_desc_hi, static_cast<uint32_t>(rings >> 32));
    set(reg_queue_avail_lo, static_cast<uint32_t>(rings + 0x400));
    set(reg_queue_avail_hi, static_cast<uint32_t>((rings + 0x400) >> 32));
    set(reg_queue_used_lo, static_cast<uint32_t>(rings + 0x800));
    set(reg_queue_used_hi, static_cast<uint32_t>((rings + 0x800) >> 32));
    set(reg_queue_ready, 1);
    if (reg(reg_queue_ready) != 1) return false;
    set(reg_status, status_acknowledge | status_driver | status_features_ok | status_driver_ok);
    return true;
}

void Blk::set_descriptor(uint16_t index, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) const {
    volatile virtio::Descriptor* d = desc() + index;
    d->addr = addr;
    d->len = len;
    d->flags = flags;
    d->next = next;
}

void Blk::submit(uint16_t head) {
    avail()[2 + avail_idx % size] = head;
    barrier();
    avail()[1] = ++avail_idx;
    barrier();
    set(virtio::reg_queue_notify, 0);
}

bool Blk::wait_used(uint32_t& id, uint32_t& len, uint32_t ms) {
    uint64_t deadline = now_ms() + ms;
    while (*used_idx() == used_seen) {
        // An MMIO read is an exit: the host gets its CPU, the device's thread runs.
        (void)reg(virtio::reg_interrupt_status);
        if (now_ms() > deadline) return false;
    }
    barrier();
    volatile virtio::UsedElem& e = used_elems()[used_seen % size];
    id = e.id;
    len = e.len;
    ++used_seen;
    set(virtio::reg_interrupt_ack, virtio::interrupt_used_buffer);
    return true;
}

uint16_t simple_request(const Blk& blk, uint32_t type, uint64_t sector, uint64_t header, uint64_t data,
                        uint32_t len, uint64_t status) {
    using namespace virtio;
    auto* h = at<volatile BlkRequestHeader>(header);
    h->type = type;
    h->reserved = 0;
    h->sector = sector;
    *at<volatile uint8_t>(status) = 0xff;
    uint16_t data_flags = desc_next | (type == blk_in ? desc_write : 0);
    blk.set_descriptor(0, header, sizeof(BlkRequestHeader), desc_next, 1);
    blk.set_descriptor(1, data, len, data_flags, 2);
    blk.set_descriptor(2, status, 1, desc_write);
    return 0;
}

} // namespace hostile
