// virtio-blk over virtio-mmio, driven the way a guest driver drives it, over real guest
// memory and a real image file: valid requests, indirect tables, and every malformed
// chain answered without a crash or a byte outside the image.
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "cocoon/virtio.h"
#include "vmm/devices/virtio_blk.h"
#include "vmm/error.h"
#include "vmm/virtio/mmio_transport.h"

using namespace cocoon::vmm;
using namespace cocoon::virtio;

namespace {

constexpr uint64_t desc_gpa = 0x1000, avail_gpa = 0x2000, used_gpa = 0x3000, indirect_gpa = 0x4000;
constexpr uint64_t header_gpa = 0x8000, data_gpa = 0x10000, status_gpa = 0x9000;
constexpr uint16_t qsize = 16;

struct CountingIrq final : IrqLine {
    std::atomic<int> raised = 0;  // raised on the "event thread", read by the "driver"
    void raise() override { ++raised; }
};

// A scratch disk image of `sectors` sectors, sector i filled with byte i.
struct TempImage {
    std::string path;
    explicit TempImage(uint64_t sectors) {
        char name[] = "/tmp/cocoon-disk-XXXXXX";
        int fd = mkstemp(name);
        path = name;
        for (uint64_t s = 0; s < sectors; ++s) {
            std::vector<uint8_t> sector(512, static_cast<uint8_t>(s));
            EXPECT_EQ(::write(fd, sector.data(), sector.size()), 512);
        }
        close(fd);
    }
    ~TempImage() { unlink(path.c_str()); }
    std::vector<uint8_t> contents() const {
        std::vector<uint8_t> bytes(1 << 20);
        int fd = open(path.c_str(), O_RDONLY);
        ssize_t n = ::read(fd, bytes.data(), bytes.size());
        close(fd);
        bytes.resize(n > 0 ? static_cast<size_t>(n) : 0);
        return bytes;
    }
};

// A driver's-eye view: sets up the queue through the registers, then places chains.
struct Rig {
    GuestMemory memory{1 << 20};
    TempImage file;
    DiskImage image;
    VirtioBlk blk;
    CountingIrq irq;
    VirtioMmioTransport mmio;
    uint16_t avail_idx = 0;

    explicit Rig(bool read_only = false, uint64_t sectors = 64)
        : file(sectors), image(file.path, read_only), blk(memory, image, "cocoon-test-disk"), mmio(blk, irq) {
        reg(reg_status, status_acknowledge | status_driver);
        reg(reg_driver_features_sel, 1);
        reg(reg_driver_features, 1);  // VERSION_1
        reg(reg_driver_features_sel, 0);
        reg(reg_driver_features, 1u << feature_indirect_desc);
        reg(reg_status, status_acknowledge | status_driver | status_features_ok);
        reg(reg_queue_sel, 0);
        reg(reg_queue_num, qsize);
        reg(reg_queue_desc_lo, desc_gpa);
        reg(reg_queue_avail_lo, avail_gpa);
        reg(reg_queue_used_lo, used_gpa);
        reg(reg_queue_ready, 1);
        reg(reg_status, status_acknowledge | status_driver | status_features_ok | status_driver_ok);
    }
    void reg(uint32_t offset, uint32_t value) { mmio.write(offset, std::span(reinterpret_cast<const uint8_t*>(&value), 4)); }
    uint32_t reg(uint32_t offset) {
        uint32_t value = 0;
        mmio.read(offset, std::span(reinterpret_cast<uint8_t*>(&value), 4));
        return value;
    }
    void desc(uint64_t table, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next = 0) {
        memory.write(table + i * 16ull, Descriptor{addr, len, flags, next});
    }
    // Header, data, status as three descriptors starting at `first`.
    void request(uint32_t type, uint64_t sector, uint32_t data_len, uint16_t first = 0) {
        memory.write(header_gpa, BlkRequestHeader{type, 0, sector});
        memory.write<uint8_t>(status_gpa, 0xff);
        uint16_t data_flags = desc_next | (type == blk_out ? 0 : desc_write);
        desc(desc_gpa, first, header_gpa, 16, desc_next, first + 1);
        desc(desc_gpa, first + 1, data_gpa, data_len, data_flags, first + 2);
        desc(desc_gpa, first + 2, status_gpa, 1, desc_write);
    }
    void submit(uint16_t head) {
        memory.write<uint16_t>(avail_gpa + 4 + (avail_idx % qsize) * 2, head);
        memory.write<uint16_t>(avail_gpa + 2, ++avail_idx);
        mmio.notify(0);
    }
    uint8_t status() { return *memory.read<uint8_t>(status_gpa); }
    uint16_t used_idx() { return std::atomic_ref<uint16_t>(*reinterpret_cast<uint16_t*>(memory.span(used_gpa + 2, 2)->data())).load(); }
    UsedElem used(uint16_t i) { return *memory.read<UsedElem>(used_gpa + 4 + (i % qsize) * 8); }
    std::span<uint8_t> data(uint32_t len) { return *memory.span(data_gpa, len); }
};

TEST(VirtioBlk, RegistersIdentifyABlockDeviceWithItsFeaturesAndCapacity) {
    Rig r(true, 64);
    EXPECT_EQ(r.reg(reg_magic), mmio_magic);
    EXPECT_EQ(r.reg(reg_version), 2u);
    EXPECT_EQ(r.reg(reg_device_id), device_id_block);
    EXPECT_EQ(r.reg(reg_queue_num_max), 256u);
    r.reg(reg_device_features_sel, 1);
    EXPECT_EQ(r.reg(reg_device_features), 1u);  // VERSION_1
    r.reg(reg_device_features_sel, 0);
    uint32_t low = r.reg(reg_device_features);
    for (unsigned bit : {feature_blk_ro, feature_blk_flush, feature_blk_blk_size, feature_blk_seg_max, feature_indirect_desc})
        EXPECT_TRUE(low & (1u << bit)) << bit;
    EXPECT_EQ(r.reg(reg_config), 64u);  // capacity, low half
    EXPECT_TRUE(r.reg(reg_status) & status_driver_ok);
    EXPECT_TRUE(r.reg(reg_status) & status_features_ok);
}

// A read of any width but an aligned 4 bytes reads all ones, every byte of it: the
// buffer is KVM's, and still holds the previous access's bytes.
TEST(VirtioBlk, ReadsOfOtherWidthsAreAllOnesInEveryByte) {
    Rig r;
    for (size_t width : {1, 2, 8}) {
        std::array<uint8_t, 8> bytes;
        bytes.fill(0x5a);
        r.mmio.read(reg_magic, std::span(bytes.data(), width));
        for (size_t i = 0; i < width; ++i) EXPECT_EQ(bytes[i], 0xff) << "width " << width << ", byte " << i;
    }
}

TEST(VirtioBlk, FeaturesTheDeviceDidNotOfferAreRefused) {
    Rig r;
    r.reg(reg_status, 0);  // reset
    r.reg(reg_driver_features_sel, 0);
    r.reg(reg_driver_features, 1u << 29);  // not offered
    r.reg(reg_status, status_acknowledge | status_driver | status_features_ok);
    EXPECT_FALSE(r.reg(reg_status) & status_features_ok);
}

TEST(VirtioBlk, ReadsAndWritesReachTheImage) {
    Rig r;
    r.request(blk_in, 3, 1024);
    r.submit(0);
    ASSERT_EQ(r.used_idx(), 1);
    EXPECT_EQ(r.status(), blk_s_ok);
    EXPECT_EQ(r.used(0).id, 0u);
    EXPECT_EQ(r.used(0).len, 1025u);
    EXPECT_EQ(r.data(1024)[0], 3);
    EXPECT_EQ(r.data(1024)[1023], 4);
    EXPECT_EQ(r.irq.raised.load(), 1);
    EXPECT_EQ(r.reg(reg_interrupt_status), interrupt_used_buffer);
    r.reg(reg_interrupt_ack, interrupt_used_buffer);
    EXPECT_EQ(r.reg(reg_interrupt_status), 0u);

    std::memset(r.data(512).data(), 0xab, 512);
    r.request(blk_out, 10, 512);
    r.submit(0);
    EXPECT_EQ(r.status(), blk_s_ok);
    r.request(blk_flush, 0, 0, 3);
    r.desc(desc_gpa, 3, header_gpa, 16, desc_next, 5);  // header straight to status
    r.desc(desc_gpa, 5, status_gpa, 1, desc_write);
    r.submit(3);
    EXPECT_EQ(r.status(), blk_s_ok);
    auto bytes = r.file.contents();
    EXPECT_EQ(bytes[10 * 512], 0xab);
    EXPECT_EQ(bytes[11 * 512], 11);  // the next sector untouched
    EXPECT_EQ(r.blk.stats().writes, 1u);
    EXPECT_EQ(r.blk.stats().flushes, 1u);
}

TEST(VirtioBlk, ManyRequestsInFlightAreAllServedByOneNotification) {
    Rig r;
    // Three reads of sectors 4, 5 and 6, each with its own header, buffer and status.
    for (uint16_t i = 0; i < 3; ++i) {
        uint64_t header = header_gpa + i * 0x100, data = data_gpa + i * 0x1000, status = status_gpa + i * 0x10;
        r.memory.write(header, BlkRequestHeader{blk_in, 0, 4u + i});
        r.desc(desc_gpa, 3 * i, header, 16, desc_next, 3 * i + 1);
        r.desc(desc_gpa, 3 * i + 1, data, 512, desc_next | desc_write, 3 * i + 2);
        r.desc(desc_gpa, 3 * i + 2, status, 1, desc_write);
        r.memory.write<uint16_t>(avail_gpa + 4 + i * 2, 3 * i);
    }
    r.memory.write<uint16_t>(avail_gpa + 2, 3);
    r.mmio.notify(0);
    ASSERT_EQ(r.used_idx(), 3);
    EXPECT_EQ(r.irq.raised.load(), 1);  // one interrupt for the batch
    for (uint16_t i = 0; i < 3; ++i) {
        EXPECT_EQ(r.used(i).id, 3u * i);
        EXPECT_EQ(*r.memory.read<uint8_t>(status_gpa + i * 0x10), blk_s_ok);
        EXPECT_EQ(*r.memory.read<uint8_t>(data_gpa + i * 0x1000), 4 + i);
    }
}

// Linux's vm_interrupt reads InterruptStatus, writes InterruptACK (an ioeventfd: the
// event thread applies it later) and walks the ring. A completion raised between the
// read and the late ACK must keep its bit: its interrupt's handler reads it.
TEST(VirtioBlk, ALateAckDoesNotClearACompletionRaisedAfterTheDriverRead) {
    Rig r;
    r.request(blk_in, 1, 512);
    r.submit(0);
    ASSERT_EQ(r.reg(reg_interrupt_status), interrupt_used_buffer);  // the driver's read
    r.submit(0);                         // a newer completion, before the ACK lands
    r.mmio.acknowledge_used_buffers();   // the first interrupt's ACK, late
    EXPECT_EQ(r.reg(reg_interrupt_status), interrupt_used_buffer);
    r.mmio.acknowledge_used_buffers();   // this read's ACK: nothing newer
    EXPECT_EQ(r.reg(reg_interrupt_status), 0u);
    r.reg(reg_interrupt_ack, interrupt_used_buffer);  // through the bus it is at once
    r.submit(0);
    r.reg(reg_interrupt_ack, interrupt_used_buffer);
    EXPECT_EQ(r.reg(reg_interrupt_status), 0u);
}

// The same on two threads, as in a run: completions and late ACKs on the event thread,
// the driver's reads on the vCPU thread. The driver walks the ring only when the
// status says so: a status of 0 with completions it has not walked is one it missed.
TEST(VirtioBlk, EveryCompletionIsSeenWhileAcksRaceCompletionsOnAnotherThread) {
    Rig r;
    r.request(blk_in, 1, 512);
    constexpr int requests = 5000;
    std::atomic<bool> ack_written = false, finished = false;
    std::thread event_thread([&] {
        for (int i = 0; i < requests; ++i) {
            r.submit(0);
            if (ack_written.exchange(false)) r.mmio.acknowledge_used_buffers();
        }
        finished = true;
    });
    int handled = 0, walked = 0, missed = 0;
    for (;;) {
        bool last = finished.load();
        int raised = r.irq.raised.load();
        if (raised != handled) {
            handled = raised;
            int used_before = r.used_idx();
            if (r.reg(reg_interrupt_status) & interrupt_used_buffer) {
                ack_written = true;
                walked = r.used_idx();
            } else if (used_before != walked) {
                ++missed;
            }
        } else if (last) {
            break;
        }
    }
    event_thread.join();
    EXPECT_EQ(missed, 0);
    EXPECT_EQ(walked, requests);
}

TEST(VirtioBlk, IndirectTableCarriesTheWholeRequest) {
    Rig r;
    r.memory.write(header_gpa, BlkRequestHeader{blk_in, 0, 7});
    r.desc(indirect_gpa, 0, header_gpa, 16, desc_next, 1);
    r.desc(indirect_gpa, 1, data_gpa, 256, desc_next | desc_write, 2);
    r.desc(indirect_gpa, 2, data_gpa + 256, 256, desc_next | desc_write, 3);
    r.desc(indirect_gpa, 3, status_gpa, 1, desc_write);
    r.desc(desc_gpa, 0, indirect_gpa, 4 * 16, desc_indirect);
    r.submit(0);
    EXPECT_EQ(r.status(), blk_s_ok);
    EXPECT_EQ(r.data(512)[511], 7);
}

TEST(VirtioBlk, GetIdAndUnknownRequests) {
    Rig r;
    r.request(blk_get_id, 0, 20);
    r.submit(0);
    EXPECT_EQ(r.status(), blk_s_ok);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(r.data(20).data()), 16), "cocoon-test-disk");
    r.request(99, 0, 512);
    r.submit(0);
    EXPECT_EQ(r.status(), blk_s_unsupp);
}

TEST(VirtioBlk, WritesToAReadOnlyDiskFailCleanly) {
    Rig r(true);
    std::memset(r.data(512).data(), 0xcd, 512);
    r.request(blk_out, 1, 512);
    r.submit(0);
    EXPECT_EQ(r.status(), blk_s_ioerr);
    EXPECT_EQ(r.file.contents()[512], 1);
}

TEST(VirtioBlk, SectorsPastTheEndAndPartialSectorsAreErrors) {
    Rig r(false, 64);
    for (auto [sector, len] : {std::pair<uint64_t, uint32_t>{63, 1024}, {64, 512}, {~0ull / 512, 512}, {0, 100}}) {
        r.request(blk_out, sector, len);
        r.submit(0);
        EXPECT_EQ(r.status(), blk_s_ioerr) << sector << "+" << len;
    }
    EXPECT_EQ(r.file.contents().size(), 64u * 512);  // the image did not grow
}

TEST(VirtioBlk, MalformedChainsAreAnsweredAndTheQueueGoesOn) {
    Rig r;
    // A loop: 0 -> 1 -> 0.
    r.desc(desc_gpa, 0, header_gpa, 16, desc_next, 1);
    r.desc(desc_gpa, 1, data_gpa, 512, desc_next, 0);
    r.submit(0);
    // A buffer outside RAM, a next past the table, a readable after a writable one,
    // an indirect table that is not whole descriptors, one outside RAM, a nested one.
    r.desc(desc_gpa, 2, 0xfffffff0, 64, 0);
    r.submit(2);
    r.desc(desc_gpa, 3, header_gpa, 16, desc_next, 99);
    r.submit(3);
    r.desc(desc_gpa, 4, status_gpa, 1, desc_write | desc_next, 5);
    r.desc(desc_gpa, 5, header_gpa, 16, 0);
    r.submit(4);
    r.desc(desc_gpa, 6, indirect_gpa, 20, desc_indirect);
    r.submit(6);
    r.desc(desc_gpa, 7, 1ull << 40, 64, desc_indirect);
    r.submit(7);
    r.desc(indirect_gpa, 0, indirect_gpa, 16, desc_indirect);
    r.desc(desc_gpa, 8, indirect_gpa, 16, desc_indirect);
    r.submit(8);
    // A header with no status byte at all.
    r.desc(desc_gpa, 9, header_gpa, 16, 0);
    r.submit(9);
    EXPECT_EQ(r.used_idx(), 8);
    for (uint16_t i = 0; i < 8; ++i) EXPECT_EQ(r.used(i).len, 0u) << i;
    EXPECT_EQ(r.blk.stats().malformed, 8u);
    // The queue still works.
    r.request(blk_in, 2, 512, 10);
    r.submit(10);
    EXPECT_EQ(r.status(), blk_s_ok);
    EXPECT_EQ(r.data(512)[0], 2);
}

TEST(VirtioBlk, AnAvailableIndexRunningFarAheadStopsTheQueue) {
    Rig r;
    r.memory.write<uint16_t>(avail_gpa + 2, 1000);
    r.mmio.notify(0);
    EXPECT_TRUE(r.reg(reg_status) & status_needs_reset);
    EXPECT_EQ(r.used_idx(), 0);
}

TEST(VirtioBlk, RingsOutsideRamAreNotStarted) {
    Rig r;
    r.reg(reg_status, 0);
    r.reg(reg_queue_num, qsize);
    r.reg(reg_queue_desc_lo, 0xffff0000);
    r.reg(reg_queue_desc_hi, 0xffffffff);
    r.reg(reg_queue_ready, 1);
    EXPECT_EQ(r.reg(reg_queue_ready), 0u);
    EXPECT_TRUE(r.reg(reg_status) & status_needs_reset);
}

TEST(DiskImage, MissingAndMisshapenFilesAreRefused) {
    EXPECT_THROW(DiskImage("/nonexistent/disk.img", false), SetupError);
    char name[] = "/tmp/cocoon-odd-XXXXXX";
    int fd = mkstemp(name);
    ASSERT_EQ(::write(fd, "abc", 3), 3);
    close(fd);
    EXPECT_THROW(DiskImage(name, false), SetupError);
    unlink(name);
}

} // namespace
