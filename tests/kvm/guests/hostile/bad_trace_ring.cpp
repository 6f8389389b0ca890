// bad_trace_ring: announces trace rings cocoon must refuse — outside RAM, above 4 GiB,
// capacities that are zero, not a power of two or huge, a bad magic, version or record
// size, a header or ring straddling the end of RAM — then a valid ring that lies: a
// head far past the tail, records with wrong sequence numbers, a head that goes
// backwards; then good records, which cocoon must still drain; then a ring of 2^20
// records whose head lies by far more than that, and a flood of well-formed records
// each from a different process. The guest sees only the tail cocoon writes back.
#include "hostile/common.h"

#include "cocoon/trace.h"

using namespace hostile;
using namespace cocoon::trace;

namespace {

constexpr uint16_t port = cocoon::platform::trace_port;
constexpr uint64_t small_ring = 0x400000;  // 16 records
constexpr uint64_t big_ring = 0x1000000;   // 2^20 records, 64 MiB

void announce(uint64_t gpa) {
    outl(port + trace_reg_ring_lo, static_cast<uint32_t>(gpa));
    outl(port + trace_reg_ring_hi, static_cast<uint32_t>(gpa >> 32));
}

volatile RingHeader* header_at(uint64_t gpa, uint32_t capacity) {
    auto* h = at<volatile RingHeader>(gpa);
    h->magic = ring_magic;
    h->version = version;
    h->record_size = sizeof(Record);
    h->capacity = capacity;
    h->doorbell_mark = capacity / 2;
    h->head = 0;
    h->tail = 0;
    return h;
}

volatile Record* record_at(uint64_t ring, uint32_t capacity, uint64_t seq) {
    return at<volatile Record>(ring + sizeof(RingHeader) + (seq % capacity) * sizeof(Record));
}

void kick() { outl(port + trace_reg_kick, 1); }

void report(const char* what, volatile RingHeader* h) {
    print("bad_trace_ring: ");
    print(what);
    print(": head ");
    print_dec(h->head);
    print(", tail ");
    print_dec(h->tail);
    println("");
}

} // namespace

extern "C" int guest_main(uint32_t start_info) {
    uint64_t ram = ram_end(start_info);
    if (inl(port + trace_reg_magic) != device_magic) {
        println("bad_trace_ring: no trace device");
        return 1;
    }
    // Rings to refuse.
    announce(ram + 0x100000);
    announce(0x100000000 + small_ring);
    header_at(small_ring, 1000);
    announce(small_ring);
    header_at(small_ring, 0);
    announce(small_ring);
    header_at(small_ring, 1u << 31);
    announce(small_ring);
    header_at(small_ring, 1u << 21);
    announce(small_ring);
    header_at(small_ring, 16)->magic = 0x12345678;
    announce(small_ring);
    header_at(small_ring, 16)->version = 77;
    announce(small_ring);
    header_at(small_ring, 16)->record_size = 48;
    announce(small_ring);
    announce(ram - 32);  // the header itself crosses the end of RAM
    header_at(ram - sizeof(RingHeader) - 4 * sizeof(Record), 16);
    announce(ram - sizeof(RingHeader) - 4 * sizeof(Record));  // room for 4 of its 16 records
    kick();
    println("bad_trace_ring: 11 bad rings announced");

    // A valid ring of 16 that lies.
    volatile RingHeader* h = header_at(small_ring, 16);
    announce(small_ring);
    h->head = 1000000000000;
    kick();
    report("a head 10^12 records past the tail", h);
    uint64_t tail = h->tail;
    for (uint64_t i = 0; i < 8; ++i) record_at(small_ring, 16, tail + i)->seq = tail + i + 5;
    h->head = tail + 8;
    kick();
    report("8 records with wrong sequence numbers", h);
    h->head = h->tail - 5;
    kick();
    report("a head 5 records behind the tail", h);
    tail = h->tail;
    for (uint64_t i = 0; i < 4; ++i) {
        volatile Record* r = record_at(small_ring, 16, tail + i);
        r->seq = tail + i;
        r->kind = kind_frames;
        r->pid = 0;
    }
    h->head = tail + 4;
    kick();
    report("4 good records", h);
    bool drained = h->tail == h->head;

    // A ring of 2^20 records (zeroed: every sequence number wrong) and a head that lies
    // by far more, four times.
    if (ram < big_ring + sizeof(RingHeader) + (uint64_t{1} << 26)) {
        println("bad_trace_ring: not enough RAM for the big ring");
        return 1;
    }
    h = header_at(big_ring, 1u << 20);
    announce(big_ring);
    for (int i = 0; i < 4; ++i) {
        h->head = h->tail + (uint64_t{1} << 40);
        kick();
    }
    report("a 2^20-record ring whose head lies by 2^40, four times", h);

    // 65536 well-formed records, each from a process cocoon has never heard of.
    tail = h->tail;
    for (uint64_t i = 0; i < 65536; ++i) {
        volatile Record* r = record_at(big_ring, 1u << 20, tail + i);
        r->seq = tail + i;
        r->kind = kind_fault;
        r->pid = static_cast<uint32_t>(1000 + i);
        r->fault.outcome = 0;  // no outcome cocoon knows: a debug line at most
    }
    h->head = tail + 65536;
    kick();
    report("65536 records from 65536 processes", h);
    drained &= h->tail == h->head;

    println(drained ? "bad_trace_ring: good records were drained" : "bad_trace_ring: good records were NOT drained");
    println("survived");
    return drained ? 0 : 1;
}
