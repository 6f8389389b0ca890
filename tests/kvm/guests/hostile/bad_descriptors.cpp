// bad_descriptors: drives virtio-blk by the book (disk 0 read-write, disk 1 read-only),
// then submits requests that break the rules one at a time, each on a freshly reset
// device, and looks at what came back: the used ring, the status byte (0xff until the
// device writes it) and the device's Status register. Then good requests must still
// work: a write, flush and read-back of sector 3 of disk 0 and a read of disk 1.
// Exits 0 if every case went as expected.
#include "hostile/common.h"

using namespace hostile;
using namespace cocoon::virtio;

namespace {

constexpr uint64_t rings0 = 0x200000, rings1 = 0x210000;
constexpr uint64_t header = 0x300000, status = 0x301000, table = 0x302000, data = 0x310000;

enum Expect { refused, broken, anything };
uint32_t cases = 0, unexpected = 0;

uint8_t pattern(uint64_t sector, uint32_t i) { return static_cast<uint8_t>(sector * 31 + i); }

// Resets the device and lays out a standard request in descriptors 0..2.
void fresh(Blk& blk, uint64_t rings, uint32_t type, uint64_t sector, uint64_t buffer, uint32_t len) {
    blk.setup(blk.base, rings, 16);
    simple_request(blk, type, sector, header, buffer, len, status);
}

// Waits for the device's answer and says whether it is what `expect` asks:
// refused — the chain comes back with the status byte anything but OK (untouched 0xff
// or an error); broken — nothing comes back and the device asks for a reset.
void observe(Blk& blk, const char* name, Expect expect) {
    uint32_t id = 0, len = 0;
    bool used = blk.wait_used(id, len, expect == broken ? 1500 : 5000);
    uint8_t s = *at<volatile uint8_t>(status);
    uint32_t device = blk.reg(reg_status);
    bool ok = expect == anything ||
              (expect == refused ? used && s != blk_s_ok : !used && (device & status_needs_reset));
    ++cases;
    unexpected += !ok;
    print("bad_descriptors: ");
    print(name);
    print(": ");
    if (used) print("used, len "), print_dec(len), print(", status "), print_hex(s);
    else print("not used");
    print(", device status ");
    print_hex(device);
    println(ok ? "" : " UNEXPECTED");
}

void finish(Blk& blk, const char* name, Expect expect) {
    blk.submit(0);
    observe(blk, name, expect);
}

// A flood: disk 0's queue kept full of 16 KiB reads, each put back as soon as it comes
// back, while one read from disk 1 waits for the same event thread in cocoon. The
// flood must not starve it: true if it was served, within 5 s.
bool flood(Blk& d0, Blk& d1) {
    d0.setup(d0.base, rings0, 16);
    for (uint16_t i = 0; i < 5; ++i) {
        auto* h = at<volatile BlkRequestHeader>(header + 16 * i);
        h->type = blk_in;
        h->sector = 0;
        d0.set_descriptor(3 * i, header + 16 * i, 16, desc_next, static_cast<uint16_t>(3 * i + 1));
        d0.set_descriptor(3 * i + 1, 0x1000000 + 0x10000 * i, 0x4000, desc_write | desc_next,
                          static_cast<uint16_t>(3 * i + 2));
        d0.set_descriptor(3 * i + 2, status + 16 + i, 1, desc_write);
        d0.avail()[2 + i] = static_cast<uint16_t>(3 * i);
    }
    d0.avail_idx = 5;
    barrier();
    d0.avail()[1] = 5;
    d0.set(reg_queue_notify, 0);
    fresh(d1, rings1, blk_in, 9, data, 512);
    d1.submit(0);
    uint64_t start = now_ms(), reads = 0;
    while (*d1.used_idx() == 0 && now_ms() - start < 5000) {
        while (*d0.used_idx() != d0.used_seen) {  // put every finished read straight back
            d0.avail()[2 + d0.avail_idx % 16] = static_cast<uint16_t>(d0.used_elems()[d0.used_seen++ % 16].id);
            barrier();
            d0.avail()[1] = ++d0.avail_idx;
            d0.set(reg_queue_notify, 0);
            ++reads;
        }
    }
    bool served = *d1.used_idx() != 0 && *at<volatile uint8_t>(status) == blk_s_ok;
    uint64_t ms = now_ms() - start;
    d0.set(reg_status, 0);  // the flood ends here
    ++cases;
    unexpected += !served;
    print("bad_descriptors: flood of disk 0 (");
    print_dec(reads);
    print(" reads put back): disk 1's read ");
    print(served ? "served after " : "NOT served in ");
    print_dec(ms);
    println(served ? " ms" : " ms UNEXPECTED");
    return served;
}

} // namespace

extern "C" int guest_main(uint32_t start_info) {
    uint64_t ram = ram_end(start_info);
    Blk d0, d1;
    if (!d0.setup(cocoon::platform::virtio_mmio_base, rings0, 16) ||
        !d1.setup(cocoon::platform::virtio_mmio_base + cocoon::platform::virtio_mmio_stride, rings1, 16) ||
        d0.read_only || !d1.read_only) {
        println("bad_descriptors: the disks are not as expected");
        return 1;
    }
    uint64_t end = d0.capacity;
    print("bad_descriptors: RAM ends at ");
    print_hex(ram);
    print(", disk 0 has ");
    print_dec(end);
    println(" sectors");

    // The first eight malformed requests of a disk are the ones cocoon logs.
    fresh(d0, rings0, blk_in, 0, ram + 0x100000, 512);
    finish(d0, "buffer outside RAM", refused);

    fresh(d0, rings0, blk_in, 0, data, 512);
    d0.set_descriptor(2, status, 1, desc_write | desc_next, 1);  // 1 -> 2 -> 1 -> ...
    finish(d0, "chain that loops", refused);

    fresh(d0, rings0, blk_in, 0, data, 512);
    d0.set_descriptor(0, table, 17, desc_indirect);
    finish(d0, "indirect table of 17 bytes", refused);

    fresh(d0, rings0, blk_in, 0, data, 512);
    d0.set_descriptor(0, table, 3 * sizeof(Descriptor), desc_indirect);
    memcpy(at<void>(table), d0.desc(), 3 * sizeof(Descriptor));
    at<Descriptor>(table)[1].flags = desc_indirect;
    finish(d0, "indirect table naming an indirect table", refused);

    fresh(d0, rings0, blk_in, end, data, 512);
    finish(d0, "read past the end of the disk", refused);

    fresh(d0, rings0, blk_out, end, data, 512);
    finish(d0, "write past the end of the disk", refused);

    fresh(d0, rings0, blk_out, 4, data, 511);
    finish(d0, "write of part of a sector", refused);

    fresh(d0, rings0, blk_in, 0, data, 512);
    d0.avail()[2] = 200;  // a descriptor the 16-entry table does not have
    d0.avail()[1] = ++d0.avail_idx;
    d0.set(reg_queue_notify, 0);
    observe(d0, "available ring naming descriptor 200", broken);

    // The rest are counted, not logged.
    fresh(d0, rings0, blk_in, 0, ram - 256, 512);
    finish(d0, "buffer straddling the end of RAM", refused);

    fresh(d0, rings0, blk_in, 0, data, 0xffffffff);
    finish(d0, "buffer of 0xffffffff bytes", refused);

    fresh(d0, rings0, blk_in, 0, data, 512);
    d0.set_descriptor(0, header, 0, desc_next, 1);
    finish(d0, "header of zero bytes", refused);

    fresh(d0, rings0, blk_in, 0, data, 512);
    d0.set_descriptor(1, data, 512, desc_write | desc_next, 200);
    finish(d0, "NEXT past the table", refused);

    fresh(d0, rings0, blk_in, 0, data, 512);
    d0.set_descriptor(2, status, 1, desc_write | desc_next, 3);
    d0.set_descriptor(3, header, 16, 0);
    finish(d0, "device-readable after device-writable", refused);

    fresh(d0, rings0, blk_in, 0, data, 512);
    d0.set_descriptor(0, header, 16, 0);  // the header alone: nowhere for a status
    finish(d0, "no status byte", refused);

    fresh(d0, rings0, blk_in, 0, data, 512);
    d0.set_descriptor(0, ram + 0x1000, 3 * sizeof(Descriptor), desc_indirect);
    finish(d0, "indirect table outside RAM", refused);

    fresh(d0, rings0, blk_in, 0, data, 512);
    d0.set_descriptor(0, table, 0, desc_indirect);
    finish(d0, "indirect table of 0 bytes", refused);

    fresh(d0, rings0, blk_in, 0, data, 512);
    d0.set_descriptor(0, table, 0xfffffff0, desc_indirect);
    finish(d0, "indirect table of 0xfffffff0 bytes", refused);

    fresh(d0, rings0, blk_in, 0, data, 512);
    d0.set_descriptor(0, table, 3 * sizeof(Descriptor), desc_indirect | desc_next, 1);
    finish(d0, "indirect descriptor with NEXT", refused);

    fresh(d0, rings0, blk_in, 0, data, 512);
    d0.set_descriptor(0, table, 3 * sizeof(Descriptor), desc_indirect);
    memcpy(at<void>(table), d0.desc(), 3 * sizeof(Descriptor));
    at<Descriptor>(table)[2].flags = desc_write | desc_next;  // the status goes back to the data: a loop
    at<Descriptor>(table)[2].next = 1;
    finish(d0, "indirect table that loops", refused);

    fresh(d0, rings0, blk_in, 0, data, 512);
    d0.set_descriptor(0, table, 3 * sizeof(Descriptor), desc_indirect);
    memcpy(at<void>(table), d0.desc(), 3 * sizeof(Descriptor));
    at<Descriptor>(table)[1].next = 7;
    finish(d0, "indirect entry pointing past its table", refused);

    fresh(d0, rings0, blk_in, end - 1, data, 1024);
    finish(d0, "read across the end of the disk", refused);

    fresh(d0, rings0, blk_out, ~uint64_t{0}, data, 512);
    finish(d0, "write at sector 2^64-1", refused);

    fresh(d0, rings0, 0x77, 0, data, 512);
    finish(d0, "unknown request type", refused);

    fresh(d0, rings0, blk_in, 0, data, 512);
    d0.avail()[2] = 0;
    d0.avail_idx = static_cast<uint16_t>(d0.avail_idx + 100);
    d0.avail()[1] = d0.avail_idx;
    d0.set(reg_queue_notify, 0);
    observe(d0, "available index 100 ahead", broken);

    // Data over the rings themselves: three sectors over the descriptor table and the
    // available ring. The device may do it; the next notification then finds the
    // disk's bytes where the available index was.
    fresh(d0, rings0, blk_in, 0, rings0, 3 * 512);
    finish(d0, "data over the rings", anything);
    d0.set(reg_queue_notify, 0);
    (void)d0.reg(reg_interrupt_status);
    print("bad_descriptors: after a notification over the overwritten rings the device status is ");
    print_hex(d0.reg(reg_status));
    println("");

    fresh(d1, rings1, blk_out, 0, data, 512);
    finish(d1, "write to the read-only disk", refused);

    flood(d0, d1);

    // After all that, good requests.
    for (uint32_t i = 0; i < 512; ++i) at<uint8_t>(data)[i] = static_cast<uint8_t>(0xa5 ^ i);
    fresh(d0, rings0, blk_out, 3, data, 512);
    d0.submit(0);
    uint32_t id, len;
    bool wrote = d0.wait_used(id, len, 5000) && *at<volatile uint8_t>(status) == blk_s_ok;
    simple_request(d0, blk_flush, 0, header, data, 0, status);
    d0.set_descriptor(0, header, 16, desc_next, 2);
    d0.submit(0);
    bool flushed = d0.wait_used(id, len, 5000) && *at<volatile uint8_t>(status) == blk_s_ok;
    memset(at<void>(data), 0, 512);
    simple_request(d0, blk_in, 3, header, data, 512, status);
    d0.submit(0);
    bool read = d0.wait_used(id, len, 5000) && *at<volatile uint8_t>(status) == blk_s_ok;
    for (uint32_t i = 0; i < 512; ++i) read &= at<uint8_t>(data)[i] == static_cast<uint8_t>(0xa5 ^ i);
    fresh(d1, rings1, blk_in, 7, data, 512);
    d1.submit(0);
    bool read_ro = d1.wait_used(id, len, 5000) && *at<volatile uint8_t>(status) == blk_s_ok;
    for (uint32_t i = 0; i < 512; ++i) read_ro &= at<uint8_t>(data)[i] == pattern(7, i);
    print("bad_descriptors: good requests: write ");
    print(wrote ? "ok" : "FAILED");
    print(", flush ");
    print(flushed ? "ok" : "FAILED");
    print(", read back ");
    print(read ? "ok" : "FAILED");
    print(", read of the read-only disk ");
    println(read_ro ? "ok" : "FAILED");
    d0.set(reg_status, 0);
    d1.set(reg_status, 0);

    print("bad_descriptors: ");
    print_dec(cases - unexpected);
    print(" of ");
    print_dec(cases);
    println(" cases as expected");
    return unexpected == 0 && wrote && flushed && read && read_ro ? 0 : 1;
}
