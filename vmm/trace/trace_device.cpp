#include "vmm/trace/trace_device.h"

#include <unistd.h>

#include <chrono>
#include <cstddef>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cocoon/platform.h"
#include "cocoon/trace.h"

namespace cocoon::vmm {

using namespace cocoon::trace;

namespace {
// A guest that keeps announcing bad rings or lying about them gets this many error lines
// and then one that says so: not a line per record or per exit.
constexpr uint64_t max_problems_logged = 32;
} // namespace

TraceDevice::TraceDevice(Vm& vm, const GuestMemory& memory, boost::asio::io_context& events, uint32_t tsc_khz,
                         EventLog& log)
    : TraceDevice(memory, events, tsc_khz, log) {
    vm.add_ioeventfd(platform::trace_port + trace_reg_doorbell, 4, true, doorbell_);
}

TraceDevice::TraceDevice(const GuestMemory& memory, boost::asio::io_context& events, uint32_t tsc_khz, EventLog& log)
    : memory_(memory), timer_(events), doorbell_waiter_(events, ::dup(doorbell_.fd())),
      backlog_waiter_(events, ::dup(backlog_ready_.fd())), tsc_khz_(tsc_khz), log_(log) {
    schedule_drain();
    wait_for_doorbell();
    wait_for_backlog();
}

void TraceDevice::wait_for_backlog() {
    backlog_waiter_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](auto error) {
        if (error) return;
        backlog_ready_.consume();
        hand_over();
        wait_for_backlog();
    });
}

void TraceDevice::wait_for_doorbell() {
    doorbell_waiter_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](auto error) {
        if (error) return;
        if (uint64_t rings = doorbell_.consume()) {
            doorbells_ += rings;
            drain();
        }
        wait_for_doorbell();
    });
}

void TraceDevice::schedule_drain() {
    timer_.expires_after(std::chrono::milliseconds(10));
    timer_.async_wait([this](const boost::system::error_code& error) {
        if (error) return;
        drain();
        schedule_drain();
    });
}

void TraceDevice::read(uint64_t offset, std::span<uint8_t> data) {
    uint32_t value = offset == trace_reg_magic ? device_magic : offset == trace_reg_tsc_khz ? tsc_khz_ : 0;
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(value >> (8 * i));
}

void TraceDevice::write(uint64_t offset, std::span<const uint8_t> data) {
    uint32_t value = 0;
    for (size_t i = 0; i < data.size() && i < 4; ++i) value |= uint32_t{data[i]} << (8 * i);
    switch (offset) {
    case trace_reg_ring_lo: {
        std::lock_guard lock(mutex_);
        ring_lo_ = value;
        break;
    }
    case trace_reg_ring_hi: arm_ring(value); break;
    case trace_reg_doorbell:  // reaches here only if the ioeventfd is not there
    case trace_reg_kick: take_for_later(); break;
    default: break;
    }
}

void TraceDevice::arm_ring(uint32_t ring_hi) {
    std::lock_guard lock(mutex_);
    uint64_t gpa = (uint64_t{ring_hi} << 32) | ring_lo_;
    auto header = memory_.read<RingHeader>(gpa);
    bool valid = header && header->magic == ring_magic && header->version == version &&
                 header->record_size == sizeof(Record) && header->capacity != 0 &&
                 (header->capacity & (header->capacity - 1)) == 0 && header->capacity <= (1u << 20) &&
                 memory_.span(gpa, sizeof(RingHeader) + uint64_t{header->capacity} * sizeof(Record));
    if (!valid) {
        problem(fmt::format("trace: refused the ring announced at {:#x} (bad header or outside RAM)", gpa));
        ring_ = 0;
        return;
    }
    ring_ = gpa;
    capacity_ = header->capacity;
    expected_seq_ = header->tail;
    spdlog::debug("trace: ring of {} records at {:#x}", capacity_, gpa);
}

void TraceDevice::drain() {
    take();
    hand_over();
}

void TraceDevice::take_for_later() {
    if (hand_over_in_kicks_) return drain();
    if (backlog_size() >= max_backlog) hand_over();  // far behind: the kernel waits for cocoon
    take();
    backlog_ready_.signal();
}

size_t TraceDevice::backlog_size() {
    std::lock_guard lock(mutex_);
    return backlog_.size();
}

void TraceDevice::hand_over() {
    std::lock_guard in_order(hand_over_mutex_);
    {
        std::lock_guard lock(mutex_);
        handing_.swap(backlog_);
    }
    static const EventLog::Snapshot nothing_read;
    for (const Taken& taken : handing_) log_.record(taken.event, taken.fresh ? *taken.fresh : nothing_read);
    handing_.clear();
}

void TraceDevice::take() {
    std::lock_guard lock(mutex_);
    if (!ring_) return;
    auto head = memory_.read<uint64_t>(ring_ + offsetof(RingHeader, head));
    if (!head) return;
    uint64_t tail = expected_seq_;
    if (static_cast<int64_t>(*head - tail) < 0) {  // the head went backwards: a lie, but nothing lost
        problem(fmt::format("trace: head {} is behind tail {}: the tail follows it", *head, tail));
        expected_seq_ = *head;
        memory_.write<uint64_t>(ring_ + offsetof(RingHeader, tail), *head);
        return;
    }
    if (*head - tail > capacity_) {  // the kernel overran the ring, or lies
        problem(fmt::format("trace: head {} is {} records past tail {} in a ring of {}: records lost", *head,
                            *head - tail, tail, capacity_));
        lost_ += *head - tail - capacity_;
        tail = *head - capacity_;
    }
    uint64_t gaps = 0;
    for (; tail != *head; ++tail) {
        auto record = memory_.read<Record>(ring_ + sizeof(RingHeader) + (tail % capacity_) * sizeof(Record));
        if (!record) break;
        if (record->seq != tail) {
            // The first of a drain only: a head that lies over a big ring is a line per record.
            if (gaps++ == 0)
                problem(fmt::format("trace: record {} carries sequence number {}: a gap", tail, record->seq));
            ++lost_;
            continue;
        }
        TraceEvent event = decode(*record);
        EventLog::Snapshot fresh = log_.snapshot(event, maps_taken_ < EventLog::max_processes_tracked);
        maps_taken_ += fresh.map.has_value();
        bool read_any = fresh.map || !fresh.page.empty();
        backlog_.push_back(
            Taken{std::move(event), read_any ? std::make_unique<EventLog::Snapshot>(std::move(fresh)) : nullptr});
    }
    if (gaps > 1) problem(fmt::format("trace: {} records of this drain carried wrong sequence numbers", gaps));
    expected_seq_ = tail;
    memory_.write<uint64_t>(ring_ + offsetof(RingHeader, tail), tail);
}

void TraceDevice::problem(const std::string& message) {
    if (problems_ >= max_problems_logged) return;
    spdlog::error("{}", message);
    if (++problems_ == max_problems_logged) spdlog::error("trace: further problems with the trace ring are not logged");
}

} // namespace cocoon::vmm
