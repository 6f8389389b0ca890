// mmio_storm: random 1, 2, 4 and 8-byte writes and reads at every offset of the first
// four virtio-mmio windows and 64 bytes either side; then rounds of device set-up with
// random values — Status resets at a random step, random queue sizes and ring addresses
// (in RAM over random bytes, unaligned, or outside RAM), QueueNotify storms — and
// finally one proper read from disk 1 (read-only, filled by the test with a pattern) to
// show the device still works.
#include "hostile/common.h"

using namespace hostile;
using namespace cocoon::virtio;

namespace {

constexpr uint64_t scratch = 0x1000000;  // 16 MiB: random rings and buffers live here
constexpr uint64_t scratch_size = 0x400000;

// Whether a random ring address is one the guest may write to (the area and a little
// past it, which is free RAM too).
bool in_scratch(uint64_t address) { return address >= scratch && address < scratch + scratch_size; }

uint64_t window(uint32_t i) { return cocoon::platform::virtio_mmio_base + i * cocoon::platform::virtio_mmio_stride; }

void access(uint64_t address, uint32_t size, uint64_t value) {
    switch (size) {
    case 1: mmio_write<uint8_t>(address, static_cast<uint8_t>(value)), (void)mmio_read<uint8_t>(address); break;
    case 2: mmio_write<uint16_t>(address, static_cast<uint16_t>(value)), (void)mmio_read<uint16_t>(address); break;
    case 4: mmio_write<uint32_t>(address, static_cast<uint32_t>(value)), (void)mmio_read<uint32_t>(address); break;
    default: mmio_write<uint64_t>(address, value), (void)mmio_read<uint64_t>(address); break;
    }
}

// Descriptors that are random but mostly point into the scratch area, so that some
// requests get as far as the disk.
void fill_random_rings(Rng& rng, uint64_t rings, uint32_t size) {
    auto* d = at<volatile Descriptor>(rings);
    for (uint32_t i = 0; i < size && i < 256; ++i) {
        uint64_t r = rng.next();
        // Anywhere at all, at one of the header-like slots, or somewhere in the area.
        d[i].addr = r % 8 == 0  ? rng.next()
                    : r % 8 < 4 ? scratch + rng.next() % 64 * 0x1000
                                : scratch + rng.next() % scratch_size;
        d[i].len = r & 0x80 ? static_cast<uint32_t>(rng.next()) : static_cast<uint32_t>(rng.next() % 0x2000);
        d[i].flags = static_cast<uint16_t>((r >> 8) & 7);
        d[i].next = static_cast<uint16_t>((r >> 16) % (uint64_t{size} + 2));
    }
    // Header-like bytes at the start of the scratch area: reads, writes, odd types.
    for (uint32_t i = 0; i < 64; ++i) {
        auto* h = at<volatile BlkRequestHeader>(scratch + i * 0x1000);
        uint64_t r = rng.next();
        h->type = static_cast<uint32_t>(r % 10);
        h->sector = r >> 60 ? rng.next() : (r >> 8) % 64;
    }
}

void setup_round(Rng& rng, uint64_t base) {
    uint64_t r = rng.next();
    uint32_t reset_at = r % 24;  // a Status reset in the middle of the set-up, or (half the time) none
    auto step = [&](uint32_t n) {
        if (n == reset_at) mmio_write<uint32_t>(base + reg_status, 0);
    };
    mmio_write<uint32_t>(base + reg_status, 0);
    mmio_write<uint32_t>(base + reg_status, status_acknowledge | status_driver);
    step(0);
    mmio_write<uint32_t>(base + reg_driver_features_sel, (r >> 4) & 1 ? 0 : static_cast<uint32_t>(rng.next()));
    mmio_write<uint32_t>(base + reg_driver_features, static_cast<uint32_t>(rng.next()));
    mmio_write<uint32_t>(base + reg_driver_features_sel, 1);
    mmio_write<uint32_t>(base + reg_driver_features, (r >> 5) & 1 ? 1 : static_cast<uint32_t>(rng.next()));
    step(1);
    mmio_write<uint32_t>(base + reg_status, status_acknowledge | status_driver | status_features_ok);
    step(2);
    mmio_write<uint32_t>(base + reg_queue_sel, (r >> 6) & 7 ? 0 : static_cast<uint32_t>(rng.next()));
    uint32_t sizes[] = {16, 256, 64, 16, 0, 3, 512, 0xffffffff};
    uint32_t size = sizes[(r >> 9) & 7];
    mmio_write<uint32_t>(base + reg_queue_num, size);
    step(3);
    // Rings: over random bytes in the scratch area, unaligned, or anywhere at all.
    uint64_t rings[3];
    for (uint64_t& ring : rings) {
        uint64_t choice = rng.next();
        ring = choice % 8 == 0 ? rng.next() : scratch + (choice >> 8) % scratch_size;
        if (choice % 8 > 1) ring &= ~uint64_t{15};
    }
    if (in_scratch(rings[0])) fill_random_rings(rng, rings[0] & ~uint64_t{15}, size);
    uint32_t regs[] = {reg_queue_desc_lo, reg_queue_desc_hi, reg_queue_avail_lo, reg_queue_avail_hi, reg_queue_used_lo,
                       reg_queue_used_hi};
    for (uint32_t i = 0; i < 6; ++i) {
        mmio_write<uint32_t>(base + regs[i], static_cast<uint32_t>(rings[i / 2] >> (i % 2 * 32)));
        step(4 + i);
    }
    mmio_write<uint32_t>(base + reg_queue_ready, 1);
    step(10);
    mmio_write<uint32_t>(base + reg_status, status_acknowledge | status_driver | status_features_ok | status_driver_ok);
    // The available ring, if it is in RAM, says some random number of chains are ready.
    if (in_scratch(rings[1])) {
        auto* avail = at<volatile uint16_t>(rings[1] & ~uint64_t{1});
        for (uint32_t i = 0; i < 64; ++i) avail[2 + i] = static_cast<uint16_t>(rng.next() % (uint64_t{size} + 1));
        avail[1] = static_cast<uint16_t>(rng.next() % (r % 4 ? uint64_t{size} + 4 : 0x10000));
    }
    // QueueNotify: a storm of the ioeventfd's own 4-byte writes, and odd sizes that exit.
    for (uint32_t i = 0; i < 64; ++i) {
        uint64_t n = rng.next();
        if (n % 8 == 0) mmio_write<uint16_t>(base + reg_queue_notify, static_cast<uint16_t>(n));
        else if (n % 8 == 1) mmio_write<uint64_t>(base + reg_queue_notify, 0);
        else mmio_write<uint32_t>(base + reg_queue_notify, n % 8 == 2 ? static_cast<uint32_t>(n >> 32) : 0);
        if (n % 16 == 3) {
            auto* avail = at<volatile uint16_t>(rings[1] & ~uint64_t{1});
            if (in_scratch(rings[1])) avail[1] = static_cast<uint16_t>(avail[1] + 1);
        }
    }
    step(11);
    (void)mmio_read<uint32_t>(base + reg_interrupt_status);
    mmio_write<uint32_t>(base + reg_interrupt_ack, static_cast<uint32_t>(rng.next()));
    (void)mmio_read<uint32_t>(base + reg_status);
}

} // namespace

extern "C" int guest_main(uint32_t) {
    Rng rng{0x2545f4914f6cdd1d};
    // Scratch: random bytes, for rings that point at it.
    for (uint64_t a = scratch; a < scratch + scratch_size; a += 8) *at<volatile uint64_t>(a) = rng.next();

    uint64_t accesses = 0;
    for (uint32_t w = 0; w < 4; ++w)
        for (uint32_t size = 1; size <= 8; size *= 2)
            for (uint64_t a = window(w) - 64; a < window(w) + cocoon::platform::virtio_mmio_size + 64; ++a) {
                access(a, size, rng.next());
                ++accesses;
            }
    print("mmio_storm: ");
    print_dec(accesses);
    println(" random register accesses");

    uint32_t rounds = 0;
    for (uint32_t i = 0; i < 400; ++i, ++rounds) setup_round(rng, window(i % 2));
    print("mmio_storm: ");
    print_dec(rounds);
    println(" rounds of hostile set-up");

    // Both devices reset; a proper read of sector 1 of the read-only disk must work.
    mmio_write<uint32_t>(window(0) + reg_status, 0);
    Blk blk;
    if (!blk.setup(window(1), 0x200000, 16)) {
        println("mmio_storm: disk 1 would not set up after the storm");
        return 1;
    }
    simple_request(blk, blk_in, 1, 0x300000, 0x310000, 512, 0x301000);
    blk.submit(0);
    uint32_t id, len;
    bool used = blk.wait_used(id, len, 5000);
    uint8_t status = *at<volatile uint8_t>(0x301000);
    const uint8_t* data = at<const uint8_t>(0x310000);
    bool pattern = true;
    for (uint32_t i = 0; i < 512; ++i) pattern &= data[i] == static_cast<uint8_t>(1 * 31 + i);
    print("mmio_storm: read after the storm: ");
    print(used ? "used" : "not used");
    print(", status ");
    print_dec(status);
    println(pattern ? ", the disk's pattern" : ", wrong data");
    mmio_write<uint32_t>(window(1) + reg_status, 0);
    println("survived");
    return used && status == blk_s_ok && pattern ? 0 : 1;
}
