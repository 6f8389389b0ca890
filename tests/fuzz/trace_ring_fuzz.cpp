// The trace device and the EventLog behind it, on a ring the fuzzer writes into guest
// RAM: the device is armed at an address from the input through its two registers,
// then the operations write and read its ports, kick it, let it drain as the event
// thread does, move the ring's head (forwards, backwards, far) and rewrite RAM between
// drains. The EventLog turns every record into log lines and JSON (the JSON log is on,
// into /dev/null), and when asked takes a map at each exit by walking the record's CR3
// and keeps a timeline.
//
// Input: a flags byte (bit 0: maps at exits, bit 1: a timeline, bit 2: the ring
// address as given rather than folded to RAM or just past it), the ring address (8
// bytes), one byte N (at most 32 are used), N operations of 8 bytes, then guest RAM
// from address 0.
//   operation: kind, port offset, log2 of the access size (1, 2 or 4 bytes), a spare
//   byte, value (4 bytes). A RAM store takes its address from bytes 1-3 (times 4).
//
// Must hold: no crash, no read or write outside RAM (fenced), bounded time whatever the
// header says: a drain hands the EventLog at most one ring's worth of records, and a
// ring can hold no more records than RAM; the identity registers read their constants;
// the input's first bytes as guest_text (as every process name is made) are printable,
// valid UTF-8 and within the limit, which the last byte chooses.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "cocoon/platform.h"
#include "cocoon/trace.h"
#include "fenced_memory.h"
#include "vmm/log/guest_text.h"
#include "vmm/log/logging.h"
#include "vmm/trace/event_log.h"
#include "vmm/trace/trace_device.h"

using namespace cocoon::vmm;
using namespace cocoon::trace;

namespace {

enum Kind : uint8_t {
    op_port_write,
    op_port_read,
    op_kick,
    op_doorbell,     // the port write a doorbell is without its ioeventfd
    op_drain,        // the event thread's periodic drain
    op_move_head,    // the kernel publishes, or lies: head += value (signed)
    op_store,        // the kernel writes RAM: records, the header
    op_store_more,
};

enum Flag : uint8_t { flag_maps = 1, flag_timeline = 2, flag_raw_address = 4 };

constexpr size_t header_bytes = 1 + 8 + 1;
constexpr size_t op_bytes = 8;
constexpr size_t max_ops = 32;
constexpr uint32_t tsc_khz = 2000000;

void check(bool holds, const char* what) {
    if (holds) return;
    std::fprintf(stderr, "trace_ring_fuzz: %s\n", what);
    std::abort();
}

void check_guest_text(const uint8_t* data, size_t size) {
    size_t limit = data[size - 1] % 80;
    std::string_view bytes(reinterpret_cast<const char*>(data), std::min<size_t>(size, 96));
    std::string text = guest_text(bytes, limit);
    check(text.size() <= limit, "guest_text past its limit");
    for (char c : text) check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f, "a control byte in guest_text");
    (void)nlohmann::json(text).dump();  // throws type_error.316 on invalid UTF-8: a finding
}

void port_write(TraceDevice& device, uint64_t offset, uint32_t value, size_t size = 4) {
    uint8_t bytes[4];
    std::memcpy(bytes, &value, 4);
    device.write(offset, std::span<const uint8_t>(bytes, size));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static cocoon::fuzz::FencedMemory memory(32 * 4096);
    static boost::asio::io_context events;
    // Every line reaches the JSON sink, so every record is formatted both ways.
    static bool logging = (setup_logging("off", "/dev/null"), true);
    (void)logging;
    if (size < header_bytes) return 0;
    check_guest_text(data, size);
    uint8_t flags = data[0];
    uint64_t ring;
    std::memcpy(&ring, data + 1, 8);
    if (!(flags & flag_raw_address)) ring &= memory->size() * 2 - 1;  // mostly inside RAM, sometimes past it
    size_t ops = std::min({size_t{data[9]}, max_ops, (size - header_bytes) / op_bytes});
    const uint8_t* op = data + header_bytes;
    const uint8_t* ram_bytes = op + ops * op_bytes;
    auto ram = memory->span(0, memory->size());
    std::memset(ram->data(), 0, ram->size());
    std::memcpy(ram->data(), ram_bytes, std::min<size_t>(data + size - ram_bytes, ram->size()));

    EventLog log(*memory, tsc_khz, flags & flag_maps ? "/nonexistent/fuzz-maps" : "");
    if (flags & flag_timeline) log.keep_timeline("/dev/null", "/dev/null");
    {
        TraceDevice device(*memory, events, tsc_khz, log);
        port_write(device, trace_reg_ring_lo, static_cast<uint32_t>(ring));
        port_write(device, trace_reg_ring_hi, static_cast<uint32_t>(ring >> 32));
        const uint64_t most_records = memory->size() / sizeof(Record);
        for (size_t i = 0; i < ops; ++i, op += op_bytes) {
            uint64_t port = op[1] % cocoon::platform::trace_port_count;
            size_t access = size_t{1} << (op[2] % 3);
            uint32_t value;
            std::memcpy(&value, op + 4, 4);
            uint64_t before = log.records();
            switch (op[0] & 7) {
            case op_port_write: port_write(device, port, value, access); break;
            case op_port_read: {
                uint32_t read = 0;
                device.read(port, std::span(reinterpret_cast<uint8_t*>(&read), access));
                if (access == 4 && port == trace_reg_magic) check(read == device_magic, "the magic register");
                if (access == 4 && port == trace_reg_tsc_khz) check(read == tsc_khz, "the TSC register");
                break;
            }
            case op_kick:  // the vCPU thread takes; the event thread hands over
                port_write(device, trace_reg_kick, value);
                events.poll();
                break;
            case op_doorbell:
                port_write(device, trace_reg_doorbell, value);
                events.poll();
                break;
            case op_drain: device.drain(); break;
            case op_move_head:
                if (auto head = memory->read<uint64_t>(ring + offsetof(RingHeader, head)))
                    memory->write<uint64_t>(ring + offsetof(RingHeader, head), *head + static_cast<int32_t>(value));
                break;
            case op_store:
            case op_store_more: {
                uint64_t at = static_cast<uint64_t>(op[1] | op[2] << 8 | op[3] << 16) * 4 % memory->size();
                memory->write<uint32_t>(at, value);
                break;
            }
            }
            check(log.records() - before <= most_records, "one drain handed over more records than RAM holds");
        }
        log.log_summary(device.lost());
    }
    // The device's timer and doorbell waits were cancelled with it: run their handlers,
    // which see the cancellation and stop.
    events.restart();
    events.poll();
    log.write_timeline();
    return 0;
}
