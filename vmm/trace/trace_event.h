// A trace record (cocoon/trace.h) decoded once, as cocoon takes it from the ring, into
// the event it stands for. Everything cocoon makes of a record — the log line, the JSON
// log, the timeline, the summary — reads this, never the raw record.
//
// The guest writes the records, so decoding trusts no number in them: a kind, a fault's
// outcome or a kill's reason that the contract does not name becomes an explicit
// unknown alternative, never a guess. Readers take each alternative by name with no
// default (std::visit over overloads, switch over an enum class), so a new kind is one
// struct here and a case in decode(), and the compiler names every reader that must
// learn it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "cocoon/trace.h"

namespace cocoon::vmm {
namespace event {

enum class SwitchReason { quantum_expired, yielded, blocked, exited, first_run, preempted, unknown };

// Why the kernel killed a process: a reason the contract names, or the number it sent
// that names none (a kill that gives no reason is one).
struct UnknownReason {
    uint32_t code;
    bool operator==(const UnknownReason&) const = default;
};
using KillReason = std::variant<trace::KillReason, UnknownReason>;

// What a fault came to: a page supplied (and from where), a kill, a panic, or an
// outcome the contract does not name.
enum class PageSource { demand_zero, stack_growth, swap };
struct PageSupplied {
    PageSource source;
};
struct Killed {
    KillReason reason;
};
struct KernelPanic {};
struct UnknownOutcome {
    uint16_t code;
};
using Outcome = std::variant<PageSupplied, Killed, KernelPanic, UnknownOutcome>;

struct FrameCounts {
    uint64_t total, free, swap_total, swap_used;
};

// One struct per kind, each with the name the JSON log's "kind" gives it.
struct Boot {
    static constexpr const char* kind_name = "boot";
    FrameCounts frames;
};
struct Spawn {
    static constexpr const char* kind_name = "spawn";
    std::string name;  // guest_text (vmm/log/guest_text.h): the one place a name's bytes become text
    uint64_t cr3;
    uint32_t parent;   // 0: the kernel
    uint32_t table_pages;
};
struct Exit {
    static constexpr const char* kind_name = "exit";
    std::string name;
    uint64_t cr3;
    int32_t status;
    std::optional<KillReason> killed;  // empty: it exited, with `status`
    uint32_t peak_pages, table_pages;
};
struct Switch {
    static constexpr const char* kind_name = "switch";
    uint32_t from, to;  // 0: idle
    SwitchReason reason;
};
struct Fault {
    static constexpr const char* kind_name = "fault";
    uint64_t address, rip, cr3;
    uint16_t vector;
    std::optional<uint32_t> error_code;  // a page fault's (vector 14): what the access was
    Outcome outcome;
};
struct Frames {
    static constexpr const char* kind_name = "frames";
    FrameCounts frames;
};
struct Disk {
    static constexpr const char* kind_name = "disk";
    uint16_t device;
    uint8_t op, status;  // virtio-blk's request type and status, as the device answered
    uint64_t sector;
    uint32_t bytes;
    uint64_t latency_tsc;
};
struct PageOut {
    static constexpr const char* kind_name = "page-out";
    uint64_t vaddr, slot, frame;
    bool written;  // false: a clean copy was still in swap
};
struct PageIn {
    static constexpr const char* kind_name = "page-in";
    uint64_t vaddr, slot, frame;
};
struct UnknownKind {
    static constexpr const char* kind_name = "unknown";
    uint16_t code;
};

using What = std::variant<Boot, Spawn, Exit, Switch, Fault, Frames, Disk, PageOut, PageIn, UnknownKind>;

} // namespace event

struct TraceEvent {
    uint64_t seq, tsc;
    uint16_t cpu;
    uint32_t pid;  // the process the event is about (0: the kernel)
    event::What what;
};

// How a reader takes an event: one handler per alternative, with no catch-all,
// `std::visit(Overloaded{[](const event::Spawn&) {…}, …}, e.what)`.
template <class... Handlers>
struct Overloaded : Handlers... {
    using Handlers::operator()...;
};
template <class... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;

// Never throws on a record's bytes (only std::bad_alloc for a name).
TraceEvent decode(const trace::Record& r);

inline const char* kind_name(const TraceEvent& e) {
    return std::visit([](const auto& what) { return what.kind_name; }, e.what);
}

} // namespace cocoon::vmm
