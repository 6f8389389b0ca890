#include "kernel/trace.h"

#include "cocoon/platform.h"
#include "kernel/arch/x86.h"
#include "kernel/layout.h"
#include "kernel/lib/string.h"

namespace kernel::trace {
namespace {

using namespace cocoon::trace;

constexpr uint32_t capacity = 1024;
constexpr uint16_t port = cocoon::platform::trace_port;

struct Ring {
    RingHeader header;
    Record records[capacity];
};
alignas(4096) Ring ring;
bool present = false;

uint64_t ring_phys() { return reinterpret_cast<uint64_t>(&ring) - layout::kernel_base; }
uint64_t tail() { return __atomic_load_n(&ring.header.tail, __ATOMIC_ACQUIRE); }

} // namespace

void init() {
    if (x86::inl(port + trace_reg_magic) != device_magic) return;
    ring.header = RingHeader{ring_magic, version, sizeof(Record), capacity, capacity / 2, 0, 0, {}};
    x86::outl(port + trace_reg_ring_lo, static_cast<uint32_t>(ring_phys()));
    x86::outl(port + trace_reg_ring_hi, static_cast<uint32_t>(ring_phys() >> 32));
    present = true;
}

bool enabled() { return present; }

void emit(Record r) {
    if (!present) return;
    uint64_t head = ring.header.head;
    // Full: ask cocoon to drain now. The write exits to cocoon, which drains before
    // the vCPU resumes, so no record is ever overwritten.
    while (head - tail() >= capacity) x86::outl(port + trace_reg_kick, 1);
    r.seq = head;
    r.tsc = x86::rdtsc();
    ring.records[head % capacity] = r;
    __atomic_store_n(&ring.header.head, head + 1, __ATOMIC_RELEASE);
    if (head + 1 - tail() == ring.header.doorbell_mark) x86::outl(port + trace_reg_doorbell, 1);
}

void flush() {
    if (present && ring.header.head != tail()) x86::outl(port + trace_reg_kick, 1);
}

void switched(uint32_t from, uint32_t to, uint32_t reason) {
    Record r{};
    r.kind = kind_switch;
    r.pid = to;
    r.sw = SwitchEvent{from, to, reason, 0};
    emit(r);
}

void fault(uint32_t pid, uint64_t address, uint64_t rip, uint64_t cr3, uint32_t error_code, uint16_t vector,
           uint16_t outcome, uint32_t kill_reason) {
    Record r{};
    r.kind = kind_fault;
    r.pid = pid;
    r.fault = FaultEvent{address, rip, cr3, error_code, vector, outcome, kill_reason, 0};
    emit(r);
}

static ProcessEvent process_event(const char* name, const mm::AddressSpace& space, int32_t status) {
    ProcessEvent e{};
    for (size_t i = 0; i + 1 < sizeof e.name && name[i]; ++i) e.name[i] = name[i];
    e.cr3 = space.root();
    e.status = status;
    e.peak_pages = static_cast<uint32_t>(space.peak_pages());
    e.table_pages = static_cast<uint32_t>(space.table_pages());
    return e;
}

void spawned(uint32_t pid, const char* name, const mm::AddressSpace& space, uint32_t parent) {
    Record r{};
    r.kind = kind_spawn;
    r.pid = pid;
    r.proc = process_event(name, space, 0);
    r.proc.parent = parent;
    emit(r);
}

void exited(uint32_t pid, const char* name, const mm::AddressSpace& space, int32_t status, uint32_t kill_reason) {
    Record r{};
    r.kind = kind_exit;
    r.pid = pid;
    r.proc = process_event(name, space, status);
    r.proc.kill_reason = kill_reason;
    emit(r);
}

void frames(uint64_t total, uint64_t free, uint64_t swap_total, uint64_t swap_used) {
    Record r{};
    r.kind = kind_frames;
    r.frames = FramesEvent{total, free, swap_total, swap_used};
    emit(r);
}

void paged(uint16_t kind, uint32_t pid, uint64_t vaddr, uint64_t slot, uint64_t frame, bool written) {
    Record r{};
    r.kind = kind;
    r.pid = pid;
    r.swap = SwapEvent{vaddr, slot, frame, written ? 1u : 0u, 0};
    emit(r);
}

void disk(uint32_t pid, uint16_t device, uint64_t sector, uint32_t bytes, uint8_t op, uint8_t status,
          uint64_t latency_tsc) {
    Record r{};
    r.kind = kind_disk;
    r.pid = pid;
    r.disk = DiskEvent{sector, bytes, op, status, device, latency_tsc};
    emit(r);
}

} // namespace kernel::trace
