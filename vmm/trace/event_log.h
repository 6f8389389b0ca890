// What cocoon makes of the kernel's trace events (decoded records, vmm/trace/trace_event.h):
// log lines a student can read, a per-process account, and address-space maps drawn from
// the real page tables when a process exits; and, on the same time line, the echoes of
// the keys typed on the console, which cocoon times on the host. Events come in sequence
// order; records and echoes may come from two threads (a kick's hand-over on a vCPU
// thread, an echo on the event thread), which a lock takes one at a time. The summary,
// maps and timeline are written at the end, from the main thread.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cocoon/trace.h"
#include "vmm/console/echo.h"
#include "vmm/introspect/address_space_map.h"
#include "vmm/trace/cpu_occupancy.h"
#include "vmm/memory/guest_memory.h"
#include "vmm/trace/timeline.h"
#include "vmm/trace/trace_event.h"
#include "vmm/trace/tsc_anchor.h"

namespace cocoon::vmm {

// A process as the log lines name it, "name#pid" (or a bare name for pid 0): formatted
// only when a line is written, so a record whose line the level filters out costs no
// formatting.
struct ProcessName {
    std::string_view name;
    uint32_t pid;
};

class EventLog {
public:
    // Pids come from the guest: past this many, new ones share one account the summary
    // does not list, and exits past this many get no map, so that a guest inventing pids
    // cannot grow cocoon (or its summary) for ever.
    static constexpr size_t max_processes_tracked = 1024;

    EventLog(const GuestMemory& memory, uint32_t tsc_khz, std::string maps_dir);

    // What must be read from guest memory while a record is fresh, since the kernel frees
    // a process's tables once the drain its exit waits for is over: an exit's map (with
    // --maps-out) and, for a page fault that killed, what was at the address. Reads guest
    // memory only: any thread, while the ring is being drained.
    struct Snapshot {
        std::optional<AddressSpaceMap> map;
        std::string page;
    };
    Snapshot snapshot(const TraceEvent& e, bool map_wanted) const;
    void record(const TraceEvent& e, const Snapshot& fresh);
    void record(const trace::Record& r) {
        TraceEvent e = decode(r);
        record(e, snapshot(e, true));
    }
    // Where the host's clock is on the guest's TSC, for what cocoon sees on the host.
    void anchor_host_clock(TscAnchor anchor) { anchor_ = anchor; }
    // A key typed and the guest's echo of it: a debug line, its JSON fields, and a span on
    // the timeline's console track.
    void record_echo(const Echo& echo);
    void log_summary(uint64_t lost);  // ends the last run of faults first
    // Writes the maps taken at each exit into the maps folder: from the main thread at
    // the end, since the confined vCPU and event threads may not open files.
    void write_maps() const;
    uint64_t records() const { return records_; }
    // Keep a timeline of the run if either path is set: Chrome Trace JSON, an SVG picture
    // of it, or both, written by write_timeline() (main thread, at the end).
    void keep_timeline(std::string json_path, std::string svg_path);
    void write_timeline();

private:
    struct Process {
        std::string name;
        double cpu_ms = 0;
        uint64_t scheduled = 0, demand_zero = 0, stack_growth = 0, pages_out = 0, pages_in = 0;
        uint64_t peak_pages = 0, table_pages = 0;
        std::string ended = "running";
    };
    Process& process(uint32_t pid);  // its account, made on first sight (up to a limit)
    ProcessName who(uint32_t pid) const;  // valid while the record is handled
    double ms(uint64_t tsc);
    nlohmann::json names(const TraceEvent& e, const Snapshot& fresh) const;  // for the JSON log
    void log_event(const TraceEvent& e, double t, const Snapshot& fresh);  // one line per event
    void charge(const CpuOccupancy::Stint& ended, double t);  // its time to its process, or to none
    void on_spawn(uint32_t pid, const event::Spawn& s, double t);
    void on_switch(uint16_t cpu, const event::Switch& s, double t);
    void on_fault(uint32_t pid, const event::Fault& f, double t, const std::string& page);
    void on_exit(uint32_t pid, const event::Exit& x, double t, const Snapshot& fresh);
    void extend_fault_burst(uint32_t pid, const event::Fault& f, double t);
    void end_fault_burst();

    std::mutex mutex_;  // one record or echo at a time
    const GuestMemory& memory_;
    uint32_t tsc_khz_;
    TscAnchor anchor_;
    std::string maps_dir_;
    uint64_t first_tsc_ = 0;
    bool have_first_ = false;
    std::map<uint32_t, Process> processes_;
    Process untracked_;              // every process past the limit, not listed
    uint64_t untracked_events_ = 0;  // events that went to it
    std::map<std::string, std::string> maps_;  // file name -> contents
    // Faults that supplied a page (demand-zero, stack growth, swap-in), one process and
    // one source at a time: each is a debug line, the run of them one info line.
    struct FaultBurst {
        uint32_t pid = 0;
        event::PageSource source = {};
        uint64_t count = 0, low = 0, high = 0;
        double first_ms = 0, last_ms = 0;
    };
    FaultBurst burst_;
    uint64_t records_ = 0, switches_ = 0;
    CpuOccupancy cpus_;
    double no_process_ms_ = 0;  // over every CPU
    bool keep_timeline_ = false;
    std::string timeline_path_, timeline_svg_path_;
    Timeline timeline_;
    double last_ms_ = 0;
};

} // namespace cocoon::vmm

template <>
struct fmt::formatter<cocoon::vmm::ProcessName> : fmt::formatter<std::string_view> {
    auto format(const cocoon::vmm::ProcessName& p, format_context& ctx) const {
        fmt::basic_memory_buffer<char, 64> text;
        if (p.pid) fmt::format_to(std::back_inserter(text), "{}#{}", p.name, p.pid);
        else fmt::format_to(std::back_inserter(text), "{}", p.name);
        return fmt::formatter<std::string_view>::format({text.data(), text.size()}, ctx);
    }
};
