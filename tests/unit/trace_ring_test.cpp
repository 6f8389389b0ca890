// The trace ring's protocol, with this test as the kernel: records published by head,
// taken by cocoon up to head and acknowledged by tail, across wrap-around and a full
// ring, then handed to the EventLog; gaps in the sequence numbers and overruns counted as lost; bad rings refused.
#include "vmm/trace/trace_device.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "cocoon/trace.h"

using namespace cocoon::vmm;
using namespace cocoon::trace;

namespace {

constexpr uint64_t ring_gpa = 0x10000;
constexpr uint32_t capacity = 8;

// A kernel's side of the ring, in real guest memory, and cocoon's device over it.
struct Kernel {
    GuestMemory memory{1 << 20};
    boost::asio::io_context events;
    EventLog log{memory, 1000, ""};
    TraceDevice device{memory, events, 1000, log};
    uint64_t head = 0;

    Kernel() { spdlog::set_level(spdlog::level::off); }
    ~Kernel() { spdlog::set_level(spdlog::level::info); }

    void reg(uint16_t offset, uint32_t value) {
        device.write(offset, std::span(reinterpret_cast<const uint8_t*>(&value), 4));
    }
    void announce(uint32_t ring_capacity = capacity, uint64_t gpa = ring_gpa) {
        memory.write(gpa, RingHeader{ring_magic, version, sizeof(Record), ring_capacity, ring_capacity / 2, 0, 0, {}});
        reg(trace_reg_ring_lo, static_cast<uint32_t>(gpa));
        reg(trace_reg_ring_hi, static_cast<uint32_t>(gpa >> 32));
    }
    uint64_t tail() { return *memory.read<uint64_t>(ring_gpa + offsetof(RingHeader, tail)); }
    // Writes `n` switch records the way the kernel does; `seq_error` corrupts one.
    void emit(uint64_t n, uint64_t bad_seq_at = UINT64_MAX) {
        for (uint64_t i = 0; i < n; ++i, ++head) {
            Record r{};
            r.seq = head == bad_seq_at ? head + 1000 : head;
            r.tsc = 1000 * (head + 1);
            r.kind = kind_switch;
            r.sw = SwitchEvent{0, 1, switch_quantum, 0};
            memory.write(ring_gpa + sizeof(RingHeader) + (head % capacity) * sizeof(Record), r);
        }
        memory.write<uint64_t>(ring_gpa + offsetof(RingHeader, head), head);
    }
};

} // namespace

TEST(TraceRing, TheDeviceAnswersItsMagic) {
    Kernel k;
    uint32_t magic = 0;
    k.device.read(trace_reg_magic, std::span(reinterpret_cast<uint8_t*>(&magic), 4));
    EXPECT_EQ(magic, device_magic);
}

TEST(TraceRing, RecordsWrapAroundTheRingAndEachArrivesOnce) {
    Kernel k;
    k.announce();
    k.emit(5);
    k.device.drain();
    EXPECT_EQ(k.log.records(), 5u);
    EXPECT_EQ(k.tail(), 5u);
    k.emit(7);  // slots 5, 6, 7, 0, 1, 2, 3
    k.reg(trace_reg_doorbell, 1);  // without an ioeventfd the doorbell takes them at once
    EXPECT_EQ(k.tail(), 12u);
    k.events.poll();  // and the event thread hands them over
    EXPECT_EQ(k.log.records(), 12u);
    k.device.drain();  // nothing new: nothing taken twice
    EXPECT_EQ(k.log.records(), 12u);
    EXPECT_EQ(k.device.lost(), 0u);
}

// The kick frees the ring at once; what the records say is written later, on the event
// thread, so the waiting kernel does not wait for log lines.
TEST(TraceRing, AFullRingIsTakenWholeByTheKickAndHandedOverLater) {
    Kernel k;
    k.announce();
    k.emit(capacity);  // head - tail == capacity: the kernel kicks and waits
    k.reg(trace_reg_kick, 1);
    EXPECT_EQ(k.tail(), capacity);
    EXPECT_EQ(k.log.records(), 0u);
    k.emit(capacity);
    k.reg(trace_reg_kick, 1);
    EXPECT_EQ(k.tail(), 2u * capacity);
    k.events.poll();
    EXPECT_EQ(k.log.records(), 2u * capacity);
    EXPECT_EQ(k.device.lost(), 0u);
}

// A cocoon that falls max_backlog records behind makes the kick wait for it, in order:
// its memory stays bounded and nothing is lost.
TEST(TraceRing, FarBehindTheKickHandsOverBeforeItTakesMore) {
    Kernel k;
    k.announce();
    const uint64_t rounds = TraceDevice::max_backlog / capacity + 1;
    for (uint64_t i = 0; i < rounds; ++i) {
        k.emit(capacity);
        k.reg(trace_reg_kick, 1);
    }
    EXPECT_EQ(k.tail(), rounds * capacity);
    EXPECT_EQ(k.log.records(), TraceDevice::max_backlog);
    k.events.poll();
    EXPECT_EQ(k.log.records(), rounds * capacity);
    EXPECT_EQ(k.device.lost(), 0u);
}

TEST(TraceRing, AWrongSequenceNumberIsAGapAndTheRestStillArrive) {
    Kernel k;
    k.announce();
    k.emit(6, 3);
    k.device.drain();
    EXPECT_EQ(k.device.lost(), 1u);
    EXPECT_EQ(k.log.records(), 5u);
    EXPECT_EQ(k.tail(), 6u);
}

TEST(TraceRing, AHeadPastAWholeRingCountsWhatWasOverwritten) {
    Kernel k;
    k.announce();
    k.emit(capacity + 3);  // a kernel that did not wait: three records overwritten
    k.device.drain();
    EXPECT_EQ(k.device.lost(), 3u);
    EXPECT_EQ(k.log.records(), capacity);
    EXPECT_EQ(k.tail(), capacity + 3);
}

TEST(TraceRing, BadRingsAreRefused) {
    Kernel k;
    k.announce(3);  // not a power of two
    k.emit(2);
    k.device.drain();
    EXPECT_EQ(k.log.records(), 0u);
    k.announce(capacity, (1 << 20) - 64);  // runs past the end of RAM
    k.device.drain();
    EXPECT_EQ(k.log.records(), 0u);
    k.announce(capacity, 0xffffffff00000000ull);  // nowhere near RAM
    k.device.drain();
    EXPECT_EQ(k.log.records(), 0u);
}
