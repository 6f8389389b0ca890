// What one event costs cocoon's host side, for scripts/bench/callgrind.sh: runs N events
// of one kind through cocoon's real device and trace code, with guest RAM that is plain
// host memory (no KVM), and lets callgrind count only the events themselves: collection
// is switched on around each event and off around what the guest would do between them.
// Counts the heap allocations made during the events, and prints them.
//
//   vmm_event_bench none N               the collection switches alone (their own cost)
//   vmm_event_bench blk-read N IMAGE     a 4 KiB virtio-blk read, from the doorbell
//   vmm_event_bench blk-write N IMAGE    a 4 KiB virtio-blk write, from the doorbell
//   vmm_event_bench uart N               one byte out of the UART, a port write
//   vmm_event_bench trace-drain N K      one drain of the trace ring holding K switch records
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <new>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <valgrind/callgrind.h>

#include "cocoon/platform.h"
#include "cocoon/trace.h"
#include "cocoon/virtio.h"
#include "vmm/bus/bus.h"
#include "vmm/devices/uart.h"
#include "vmm/devices/virtio_blk.h"
#include "vmm/kvm/event_fd.h"
#include "vmm/log/logging.h"
#include "vmm/storage/disk_image.h"
#include "vmm/trace/event_log.h"
#include "vmm/trace/trace_device.h"
#include "vmm/virtio/mmio_transport.h"

namespace {
uint64_t allocations = 0;
} // namespace

// Every C++ allocation comes through here (array and nothrow forms call this one).
void* operator new(std::size_t size) {
    ++allocations;
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}

namespace {

using namespace cocoon;
using namespace cocoon::vmm;

constexpr size_t warm_up = 64;  // events run before counting (a console line): first-time costs stay out
constexpr uint32_t tsc_khz = 2000000;

// Runs `count` events; `guest` does the guest's part before each (not counted).
void run(size_t count, const std::function<void(size_t)>& guest, const std::function<void()>& event) {
    for (size_t i = 0; i < warm_up; ++i) guest(i), event();
    uint64_t during = 0;
    for (size_t i = 0; i < count; ++i) {
        guest(warm_up + i);
        uint64_t before = allocations;
        CALLGRIND_TOGGLE_COLLECT;
        event();
        CALLGRIND_TOGGLE_COLLECT;
        during += allocations - before;
    }
    std::printf("events %zu allocations %llu\n", count, static_cast<unsigned long long>(during));
}

// The interrupt as cocoon raises it: an irqfd is an eventfd written once per interrupt.
struct EventFdIrq final : IrqLine {
    EventFd line;
    void raise() override { line.signal(); }
};

void set(VirtioMmioTransport& mmio, uint32_t offset, uint32_t value) {
    mmio.write(offset, std::span(reinterpret_cast<const uint8_t*>(&value), 4));
}

// A request as cocoon's kernel driver makes it: header, one 4 KiB buffer and the status
// byte in descriptors 0-2, published in the available ring and announced on QueueNotify,
// which KVM turns into a signal on the doorbell's eventfd. The event is what cocoon's
// event thread then does (VirtioMmioSlot): wake on the eventfd, read it, let the
// transport process the queue, raise the interrupt and wait again.
void virtio_blk(size_t count, const std::string& path, uint32_t type) {
    using namespace cocoon::virtio;
    constexpr uint64_t desc = 0x0000, avail = 0x1000, used = 0x2000, header_at = 0x3000, status_at = 0x3100;
    constexpr uint64_t data_at = 0x4000;
    constexpr uint16_t queue_entries = 256;
    GuestMemory memory(1 << 20);
    DiskImage image(path, false);
    VirtioBlk blk(memory, image, "bench");
    EventFdIrq irq;
    VirtioMmioTransport mmio(blk, irq);
    set(mmio, reg_status, status_acknowledge | status_driver);
    set(mmio, reg_driver_features_sel, 1);
    set(mmio, reg_driver_features, 1);  // VERSION_1
    set(mmio, reg_status, status_acknowledge | status_driver | status_features_ok);
    set(mmio, reg_queue_num, queue_entries);
    set(mmio, reg_queue_desc_lo, desc);
    set(mmio, reg_queue_avail_lo, avail);
    set(mmio, reg_queue_used_lo, used);
    set(mmio, reg_queue_ready, 1);
    set(mmio, reg_status, status_acknowledge | status_driver | status_features_ok | status_driver_ok);

    boost::asio::io_context events;
    EventFd doorbell;
    boost::asio::posix::stream_descriptor waiter(events, ::dup(doorbell.fd()));
    std::function<void()> wait_for_doorbell = [&] {
        waiter.async_wait(boost::asio::posix::stream_descriptor::wait_read, [&](auto error) {
            if (error) return;
            if (doorbell.consume()) mmio.notify_all();
            wait_for_doorbell();
        });
    };
    wait_for_doorbell();

    uint64_t blocks = image.size() / 4096;
    uint16_t avail_idx = 0;
    auto guest = [&](size_t i) {
        memory.write(header_at, BlkRequestHeader{type, 0, (i * 7919 % blocks) * 8});
        uint16_t data_flags = desc_next | (type == blk_in ? desc_write : 0);
        memory.write(desc + 0 * sizeof(Descriptor), Descriptor{header_at, sizeof(BlkRequestHeader), desc_next, 1});
        memory.write(desc + 1 * sizeof(Descriptor), Descriptor{data_at, 4096, data_flags, 2});
        memory.write(desc + 2 * sizeof(Descriptor), Descriptor{status_at, 1, desc_write, 0});
        memory.write<uint16_t>(avail + avail_ring_offset + avail_idx % queue_entries * 2, 0);
        memory.write<uint16_t>(avail + 2, ++avail_idx);
        memory.write<uint8_t>(status_at, 0xff);
        irq.line.consume();  // the interrupt of the previous request, taken by KVM
        doorbell.signal();
    };
    run(count, guest, [&] { events.run_one(); });
    if (*memory.read<uint8_t>(status_at) != blk_s_ok || blk.stats().errors || blk.stats().malformed) {
        std::fprintf(stderr, "vmm_event_bench: the device refused the requests\n");
        std::exit(1);
    }
}

// Nothing at the port buses' other addresses answers here: they are there so that the
// lookup searches what the machine's port bus holds.
struct Absent final : Device {
    void read(uint64_t, std::span<uint8_t>) override {}
    void write(uint64_t, std::span<const uint8_t>) override {}
};

// One byte of a console line written by the kernel's console driver (polling, no
// interrupts): a KVM_EXIT_IO that the vCPU thread hands to the port bus. The output
// callback keeps the line and writes it at its newline, as the machine's console does.
void uart(size_t count) {
    EventFdIrq irq;
    std::string line;
    line.reserve(4096);  // the machine's line has grown to its longest once and for all
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    Uart uart(
        [&](uint8_t byte) {
            line.push_back(static_cast<char>(byte));
            if (byte == '\n' || line.size() >= 4096) {
                [[maybe_unused]] ssize_t n = ::write(null, line.data(), line.size());
                line.clear();
            }
        },
        irq);
    Absent exit_port, pit, trace;
    Bus pio("port");
    pio.add(platform::uart_port, platform::uart_port_count, uart);
    pio.add(platform::exit_port, platform::exit_port_count, exit_port);
    pio.add(platform::pit_port, platform::pit_port_count, pit);
    pio.add(platform::trace_port, platform::trace_port_count, trace);
    auto out = [&](uint16_t port, uint8_t value) { pio.write(port, std::span<const uint8_t>(&value, 1)); };
    // The kernel's console set-up: no interrupts, 115200 baud, 8N1, FIFOs on.
    out(platform::uart_port + 1, 0x00);
    out(platform::uart_port + 3, 0x80);
    out(platform::uart_port + 0, 0x01);
    out(platform::uart_port + 1, 0x00);
    out(platform::uart_port + 3, 0x03);
    out(platform::uart_port + 2, 0x07);

    static constexpr char text[] = "cocoon: a line of console output, as a guest program prints it\n";
    uint8_t byte = 0;
    run(count, [&](size_t i) { byte = static_cast<uint8_t>(text[i % (sizeof text - 1)]); },
        [&] { out(platform::uart_port, byte); });
}

// The kernel's ring (1024 records, as guest/kernel/trace.cpp makes it) holding `per_drain`
// switch records between two processes; the event is one drain by the event thread,
// which hands each record to the EventLog. The log is the default run's: info on the
// console, no JSON log, so switches (debug lines) are accounted but not printed.
void trace_drain(size_t count, uint64_t per_drain) {
    using namespace cocoon::trace;
    constexpr uint64_t ring = 0x10000;
    constexpr uint32_t capacity = 1024;
    if (per_drain == 0 || per_drain > capacity) {
        std::fprintf(stderr, "vmm_event_bench: K is 1..%u\n", capacity);
        std::exit(2);
    }
    setup_logging("info", "");
    GuestMemory memory(1 << 20);
    boost::asio::io_context events;
    EventLog log(memory, tsc_khz, "");
    TraceDevice device(memory, events, tsc_khz, log);
    memory.write(ring, RingHeader{ring_magic, version, sizeof(Record), capacity, capacity / 2, 0, 0, {}});
    auto reg = [&](uint16_t offset, uint32_t value) {
        device.write(offset, std::span(reinterpret_cast<const uint8_t*>(&value), 4));
    };
    reg(trace_reg_ring_lo, static_cast<uint32_t>(ring));
    reg(trace_reg_ring_hi, static_cast<uint32_t>(ring >> 32));

    uint64_t head = 0;
    auto emit = [&](const Record& r) {
        Record at = r;
        at.seq = head;
        at.tsc = 1000000 + 20000 * head;  // 10 us apart
        memory.write(ring + sizeof(RingHeader) + head % capacity * sizeof(Record), at);
        ++head;
    };
    auto publish = [&] { memory.write<uint64_t>(ring + offsetof(RingHeader, head), head); };
    // Two processes, named before the measured drains (spawns are info lines).
    for (uint32_t pid : {1u, 2u}) {
        Record spawn{};
        spawn.kind = kind_spawn;
        spawn.pid = pid;
        std::snprintf(spawn.proc.name, sizeof spawn.proc.name, "prog%u", pid);
        emit(spawn);
    }
    publish();
    device.drain();

    auto guest = [&](size_t) {
        for (uint64_t i = 0; i < per_drain; ++i) {
            Record r{};
            r.kind = kind_switch;
            uint32_t from = 1 + head % 2;
            r.pid = from;
            r.sw = SwitchEvent{from, 3 - from, switch_quantum, 0};
            emit(r);
        }
        publish();
    };
    run(count, guest, [&] { device.drain(); });
    if (device.lost() != 0 || log.records() != head) {
        std::fprintf(stderr, "vmm_event_bench: the drains lost records\n");
        std::exit(1);
    }
}

} // namespace

int main(int argc, char** argv) {
    std::string event = argc > 1 ? argv[1] : "";
    size_t count = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 0;
    std::string arg = argc > 3 ? argv[3] : "";
    if (event == "none" && count) run(count, [](size_t) {}, [] {});
    else if (event == "blk-read" && count && !arg.empty()) virtio_blk(count, arg, virtio::blk_in);
    else if (event == "blk-write" && count && !arg.empty()) virtio_blk(count, arg, virtio::blk_out);
    else if (event == "uart" && count) uart(count);
    else if (event == "trace-drain" && count && !arg.empty()) trace_drain(count, std::strtoull(arg.c_str(), nullptr, 10));
    else {
        std::fprintf(stderr, "usage: vmm_event_bench none|uart N | blk-read|blk-write N IMAGE | trace-drain N K\n");
        return 2;
    }
    return 0;
}
