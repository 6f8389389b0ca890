// What cocoon makes of the kernel's trace records: log lines a student can read, a
// per-process account, and address-space maps drawn from the real page tables when a
// process exits. Called with records in sequence order, from one thread at a time.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cocoon/trace.h"
#include "vmm/memory/guest_memory.h"
#include "vmm/trace/timeline.h"

namespace cocoon::vmm {

class EventLog {
public:
    EventLog(const GuestMemory& memory, uint32_t tsc_khz, std::string maps_dir);
    void record(const trace::Record& r);
    void log_summary(uint64_t lost) const;
    // Writes the maps taken at each exit into the maps folder: from the main thread at
    // the end, since the confined vCPU and event threads may not open files.
    void write_maps() const;
    uint64_t records() const { return records_; }
    // Keep a timeline of the run, written by write_timeline() (main thread, at the end).
    void keep_timeline(std::string path) { timeline_path_ = std::move(path); }
    void write_timeline();

private:
    struct Process {
        std::string name;
        uint64_t scheduled = 0, demand_zero = 0, stack_growth = 0, pages_out = 0, pages_in = 0;
        std::string ended = "running";
    };
    std::string who(uint32_t pid) const;
    double ms(uint64_t tsc);
    void on_fault(const trace::Record& r);
    void on_exit(const trace::Record& r);
    void on_paging(const trace::Record& r, double t);
    void add_to_timeline(const trace::Record& r, double t);
    void take_map(uint32_t pid, uint64_t cr3);

    const GuestMemory& memory_;
    uint32_t tsc_khz_;
    std::string maps_dir_;
    uint64_t first_tsc_ = 0;
    bool have_first_ = false;
    std::map<uint32_t, Process> processes_;
    std::map<std::string, std::string> maps_;  // file name -> contents
    uint64_t records_ = 0, switches_ = 0;
    std::string timeline_path_;  // empty: no timeline
    Timeline timeline_;
    double last_ms_ = 0;
};

} // namespace cocoon::vmm
