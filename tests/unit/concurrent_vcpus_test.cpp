// Devices reached by several vCPU threads at once, as on a machine of more than one
// vCPU: each thread here stands for a vCPU making its exits as fast as it can. What a
// missing lock would break shows as a wrong count, a byte lost or seen twice, or a
// corrupted container that the sanitizer builds report; no thread sanitizer is needed.
#include <algorithm>
#include <atomic>
#include <barrier>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "cocoon/trace.h"
#include "vmm/bus/bus.h"
#include "vmm/devices/uart.h"
#include "vmm/trace/trace_device.h"

using namespace cocoon::vmm;
using namespace cocoon::trace;

namespace {

constexpr unsigned vcpus = 4;

// Runs `body(vcpu)` on a thread per vCPU, all let go at the same moment.
void on_every_vcpu(const std::function<void(unsigned)>& body) {
    std::barrier start(vcpus);
    std::vector<std::thread> threads;
    for (unsigned vcpu = 0; vcpu < vcpus; ++vcpu)
        threads.emplace_back([&, vcpu] {
            start.arrive_and_wait();
            body(vcpu);
        });
    for (auto& thread : threads) thread.join();
}

struct QuietLog {
    QuietLog() { spdlog::set_level(spdlog::level::off); }
    ~QuietLog() { spdlog::set_level(spdlog::level::info); }
};

TEST(ConcurrentVcpus, TheBusCountsEveryUnclaimedAccess) {
    QuietLog quiet;
    Bus bus("port");
    constexpr unsigned per_vcpu = 20000;
    on_every_vcpu([&](unsigned vcpu) {
        uint8_t byte = 0;
        for (unsigned i = 0; i < per_vcpu; ++i) {
            // Addresses shared between the threads and more than the log keeps: the set of
            // logged addresses grows and fills while every thread inserts into it.
            uint64_t port = (i * 7 + vcpu) % 1000;
            if (i % 2) bus.write(port, std::span<const uint8_t>(&byte, 1));
            else bus.read(port, std::span<uint8_t>(&byte, 1));
        }
    });
    EXPECT_EQ(bus.unclaimed_accesses(), uint64_t{vcpus} * per_vcpu);
}

struct CountingIrq : IrqLine {
    std::atomic<unsigned> raised = 0;
    void raise() override { ++raised; }
};

TEST(ConcurrentVcpus, EveryByteAnyVcpuSendsReachesTheConsoleOnce) {
    constexpr unsigned per_vcpu = 20000;
    std::string out;  // appended to under the UART's own lock
    CountingIrq irq;
    Uart uart([&](uint8_t b) { out.push_back(static_cast<char>(b)); }, irq);
    uint8_t thre_interrupt = 0x02;
    uart.write(1, std::span<const uint8_t>(&thre_interrupt, 1));
    on_every_vcpu([&](unsigned vcpu) {
        auto byte = static_cast<uint8_t>('a' + vcpu);
        uint8_t status = 0;
        for (unsigned i = 0; i < per_vcpu; ++i) {
            uart.write(0, std::span<const uint8_t>(&byte, 1));
            uart.read(2, std::span<uint8_t>(&status, 1));  // IIR: acknowledges THRE
        }
    });
    ASSERT_EQ(out.size(), size_t{vcpus} * per_vcpu);
    for (unsigned vcpu = 0; vcpu < vcpus; ++vcpu)
        EXPECT_EQ(static_cast<size_t>(std::count(out.begin(), out.end(), static_cast<char>('a' + vcpu))), per_vcpu);
    EXPECT_GT(irq.raised.load(), 0u);
}

// The kernel's ring, full, and every vCPU kicking at once: each record is taken once,
// none twice and none lost.
TEST(ConcurrentVcpus, KicksFromEveryVcpuTakeEachTraceRecordOnce) {
    QuietLog quiet;
    constexpr uint64_t ring_gpa = 0x10000;
    constexpr uint32_t capacity = 64;
    constexpr unsigned rounds = 300;
    GuestMemory memory{1 << 20};
    boost::asio::io_context events;
    EventLog log{memory, 1000, ""};
    TraceDevice device{memory, events, 1000, log};
    auto reg = [&](uint16_t offset, uint32_t value) {
        device.write(offset, std::span(reinterpret_cast<const uint8_t*>(&value), 4));
    };
    memory.write(ring_gpa, RingHeader{ring_magic, version, sizeof(Record), capacity, capacity / 2, 0, 0, {}});
    reg(trace_reg_ring_lo, static_cast<uint32_t>(ring_gpa));
    reg(trace_reg_ring_hi, 0);

    uint64_t head = 0;
    for (unsigned round = 0; round < rounds; ++round) {
        for (uint32_t i = 0; i < capacity; ++i, ++head) {
            Record r{};
            r.seq = head;
            r.tsc = 1000 * (head + 1);
            r.kind = kind_switch;
            r.cpu = static_cast<uint16_t>(head % vcpus);
            r.sw = SwitchEvent{0, 1, switch_quantum, 0};
            memory.write(ring_gpa + sizeof(RingHeader) + (head % capacity) * sizeof(Record), r);
        }
        memory.write<uint64_t>(ring_gpa + offsetof(RingHeader, head), head);
        on_every_vcpu([&](unsigned) { reg(trace_reg_kick, 1); });
        ASSERT_EQ(*memory.read<uint64_t>(ring_gpa + offsetof(RingHeader, tail)), head) << "round " << round;
    }
    events.poll();  // the event thread's hand-overs
    device.drain();
    EXPECT_EQ(log.records(), head);
    EXPECT_EQ(device.lost(), 0u);
}

} // namespace
