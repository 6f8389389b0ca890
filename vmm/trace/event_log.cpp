#include "vmm/trace/event_log.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cocoon/page_table.h"
#include "vmm/introspect/map_svg.h"
#include "vmm/log/guest_text.h"
#include "vmm/log/json_sink.h"
#include "vmm/log/logging.h"
#include "vmm/trace/record_fields.h"
#include "vmm/trace/timeline_svg.h"

namespace cocoon::vmm {

using namespace cocoon::trace;

namespace {

// "1 heap page supplied on first touch", "398 stack pages grown"
std::string supplied_pages_text(uint16_t outcome, uint64_t pages) {
    const char* noun = outcome == outcome_demand_zero ? "heap page" : outcome == outcome_stack_growth ? "stack page" : "page";
    const char* how = outcome == outcome_demand_zero    ? "supplied on first touch"
                      : outcome == outcome_stack_growth ? "grown"
                                                        : "read back from swap";
    return fmt::format("{} {}{} {}", pages, noun, pages == 1 ? "" : "s", how);
}
} // namespace

EventLog::EventLog(const GuestMemory& memory, uint32_t tsc_khz, std::string maps_dir)
    : memory_(memory), tsc_khz_(tsc_khz ? tsc_khz : 1000000), maps_dir_(std::move(maps_dir)) {}

EventLog::Process& EventLog::process(uint32_t pid) {
    auto it = processes_.find(pid);
    if (it != processes_.end()) return it->second;
    if (processes_.size() < max_processes_tracked) return processes_[pid];
    ++untracked_events_;
    return untracked_;
}

ProcessName EventLog::who(uint32_t pid) const {
    if (pid == 0) return {"idle", 0};
    auto it = processes_.find(pid);
    return {it == processes_.end() ? std::string_view("?") : std::string_view(it->second.name), pid};
}

bool EventLog::is_killing_page_fault(const Record& r) {
    return r.kind == kind_fault && r.fault.outcome == outcome_killed && r.fault.vector == 14;
}

double EventLog::ms(uint64_t tsc) {
    if (!have_first_) first_tsc_ = tsc, have_first_ = true;
    return tsc < first_tsc_ ? 0 : double(tsc - first_tsc_) / tsc_khz_;
}

EventLog::Snapshot EventLog::snapshot(const Record& r, bool map_wanted) const {
    Snapshot fresh;
    if (r.kind == kind_exit && map_wanted && !maps_dir_.empty()) fresh.map = map_address_space(memory_, r.proc.cr3, "");
    if (is_killing_page_fault(r)) fresh.page = describe_page(memory_, r.fault.cr3, r.fault.address);
    return fresh;
}

void EventLog::record(const Record& r, const Snapshot& fresh) {
    ++records_;
    double t = ms(r.tsc);
    last_ms_ = t;
    if (keep_timeline_) add_to_timeline(r, t);
    if (!json_log_enabled()) return log_record(r, t, fresh);
    nlohmann::json fields = record_fields(r, static_cast<uint64_t>(t * 1e6), tsc_khz_);
    if (r.kind == kind_switch)
        fields.update({{"from_name", fmt::format("{}", who(r.sw.from))}, {"to_name", fmt::format("{}", who(r.sw.to))}});
    else if (r.kind != kind_spawn) fields["process"] = fmt::format("{}", who(r.pid));
    if (is_killing_page_fault(r)) fields["page"] = fresh.page;
    LogFields scope(fields);
    log_record(r, t, fresh);
}

void EventLog::log_record(const Record& r, double t, const Snapshot& fresh) {
    if (r.kind == kind_fault) extend_fault_burst(r, t);
    else if (r.kind == kind_spawn || r.kind == kind_switch || r.kind == kind_exit) end_fault_burst();
    switch (r.kind) {
    case kind_spawn: {
        process(r.pid).name = process_name(r);
        spdlog::info("t={:.3f}ms spawn {} (cr3 {:#x}, parent {})", t, who(r.pid), r.proc.cr3,
                     r.proc.parent ? who(r.proc.parent) : ProcessName{"kernel", 0});
        break;
    }
    case kind_switch: on_switch(r, t); break;
    case kind_fault: on_fault(r, t, fresh.page); break;
    case kind_exit: on_exit(r, t, fresh); break;
    case kind_frames:
        if (r.frames.swap_total)
            spdlog::debug("t={:.3f}ms frames: {} free of {}; swap: {} of {} slots used", t, r.frames.free,
                          r.frames.total, r.frames.swap_used, r.frames.swap_total);
        else
            spdlog::debug("t={:.3f}ms frames: {} free of {}", t, r.frames.free, r.frames.total);
        break;
    case kind_page_out:
    case kind_page_in: on_paging(r, t); break;
    case kind_disk:
        spdlog::debug("t={:.3f}ms disk {} {} of {} bytes at sector {} for {} → {} after {:.3f}ms", t, r.disk.device,
                      disk_op_text(r.disk.op), r.disk.bytes, r.disk.sector, r.pid ? who(r.pid) : ProcessName{"the kernel", 0},
                      disk_status_text(r.disk.status), double(r.disk.latency_tsc) / tsc_khz_);
        break;
    default: spdlog::debug("t={:.3f}ms trace record of kind {}", t, r.kind);
    }
}

// CPU time goes to the process on the CPU until the next switch, or until its exit
// record: after that the kernel is reaping it (and waits for cocoon to map it).
void EventLog::account_cpu(double t, uint32_t next) {
    (running_ ? process(running_).cpu_ms : no_process_ms_) += t - running_since_;
    running_ = next;
    running_since_ = t;
}

void EventLog::on_switch(const Record& r, double t) {
    ++switches_;
    account_cpu(t, r.sw.to);
    if (r.sw.to) ++process(r.sw.to).scheduled;
    spdlog::debug("t={:.3f}ms switch {} → {} ({})", t, who(r.sw.from), who(r.sw.to), switch_reason_text(r.sw.reason));
}

void EventLog::on_fault(const Record& r, double t, const std::string& page) {
    const FaultEvent& f = r.fault;
    auto& p = process(r.pid);
    switch (f.outcome) {
    case outcome_demand_zero:
        ++p.demand_zero;
        spdlog::debug("t={:.3f}ms fault {} at {:#x} rip {:#x} → demand-zero heap page", t, who(r.pid), f.address, f.rip);
        break;
    case outcome_stack_growth:
        ++p.stack_growth;
        spdlog::debug("t={:.3f}ms fault {} at {:#x} rip {:#x} → stack grows", t, who(r.pid), f.address, f.rip);
        break;
    case outcome_swap_in:
        spdlog::debug("t={:.3f}ms fault {} at {:#x} rip {:#x} → page is in swap: read it back", t, who(r.pid),
                      f.address, f.rip);
        break;
    case outcome_killed:
        if (is_killing_page_fault(r))
            spdlog::warn("t={:.3f}ms fault {} {} {:#x} ({}; {}) at rip {:#x} → killed: {}", t, who(r.pid),
                         f.error_code & cocoon::fault_bits::fetch ? "fetch from"
                         : (f.error_code & cocoon::fault_bits::write ? "write to" : "read of"), f.address,
                         page, access_text(f.error_code), f.rip,
                         kill_reason_text(f.kill_reason));
        else
            spdlog::warn("t={:.3f}ms fault {} exception {} at rip {:#x} → killed: {}", t, who(r.pid), f.vector, f.rip,
                         kill_reason_text(f.kill_reason));
        break;
    case outcome_panic:
        spdlog::error("t={:.3f}ms kernel panic: exception {} at rip {:#x}, address {:#x}", t, f.vector, f.rip, f.address);
        break;
    default:
        spdlog::debug("t={:.3f}ms fault {} at {:#x} rip {:#x} with unknown outcome {}", t, who(r.pid), f.address, f.rip,
                      f.outcome);
    }
}

void EventLog::extend_fault_burst(const Record& r, double t) {
    const FaultEvent& f = r.fault;
    bool supplied = f.outcome == outcome_demand_zero || f.outcome == outcome_stack_growth || f.outcome == outcome_swap_in;
    if (burst_.count && (!supplied || r.pid != burst_.pid || f.outcome != burst_.outcome)) end_fault_burst();
    if (!supplied) return;
    uint64_t page = f.address & ~uint64_t{0xfff};
    if (!burst_.count) burst_ = FaultBurst{r.pid, f.outcome, 0, page, page, t, t};
    ++burst_.count;
    burst_.low = std::min(burst_.low, page);
    burst_.high = std::max(burst_.high, page);
    burst_.last_ms = t;
}

void EventLog::end_fault_burst() {
    if (!burst_.count) return;
    nlohmann::json fields = {{"burst", fault_outcome_text(burst_.outcome)}, {"pid", burst_.pid},
                             {"process", fmt::format("{}", who(burst_.pid))}, {"faults", burst_.count},
                             {"low", fmt::format("{:#x}", burst_.low)}, {"high", fmt::format("{:#x}", burst_.high)}};
    LogFields scope(fields);
    spdlog::info("t={:.3f}ms faults {}: {} in {:#x}–{:#x} over {:.3f}ms", burst_.first_ms, who(burst_.pid),
                 supplied_pages_text(burst_.outcome, burst_.count), burst_.low, burst_.high + 0xfff,
                 burst_.last_ms - burst_.first_ms);
    burst_ = {};
}

void EventLog::add_to_timeline(const Record& r, double t) {
    switch (r.kind) {
    case kind_spawn: timeline_.process_named(r.pid, process_name(r)); break;
    case kind_switch: timeline_.switched(t, r.sw.to); break;
    case kind_fault:
        switch (r.fault.outcome) {
        case outcome_demand_zero: timeline_.instant(t, r.pid, "demand-zero page"); break;
        case outcome_stack_growth: timeline_.instant(t, r.pid, "stack grows"); break;
        case outcome_swap_in: timeline_.instant(t, r.pid, "fault: back from swap"); break;
        case outcome_killed: timeline_.instant(t, r.pid, std::string("killed: ") + kill_reason_text(r.fault.kill_reason)); break;
        default: break;
        }
        break;
    case kind_exit:
        timeline_.instant(t, r.pid, r.proc.kill_reason ? "killed" : fmt::format("exit {}", r.proc.status));
        timeline_.left(t, r.pid);
        break;
    case kind_frames: timeline_.counters(t, r.frames.free, r.frames.swap_used); break;
    case kind_page_out: timeline_.instant(t, r.pid, "page-out"); break;
    default: break;
    }
}

void EventLog::keep_timeline(std::string json_path, std::string svg_path) {
    timeline_path_ = std::move(json_path);
    timeline_svg_path_ = std::move(svg_path);
    keep_timeline_ = !timeline_path_.empty() || !timeline_svg_path_.empty();
}

void EventLog::write_timeline() {
    if (!keep_timeline_) return;
    timeline_.finish(last_ms_);
    if (!timeline_path_.empty()) {
        if (timeline_.write(timeline_path_)) spdlog::info("timeline written to {} (open it in ui.perfetto.dev)", timeline_path_);
        else spdlog::error("--trace-out: cannot write {}", timeline_path_);
    }
    if (!timeline_svg_path_.empty()) {
        std::ofstream out(timeline_svg_path_);
        out << render_timeline_svg(timeline_.to_json());
        if (out) spdlog::info("timeline drawn in {}", timeline_svg_path_);
        else spdlog::error("--trace-svg: cannot write {}", timeline_svg_path_);
    }
}

void EventLog::on_paging(const Record& r, double t) {
    auto& p = process(r.pid);
    const SwapEvent& s = r.swap;
    if (r.kind == kind_page_out) {
        ++p.pages_out;
        spdlog::debug("t={:.3f}ms page-out {} {:#x} (frame {:#x}) → swap slot {} ({})", t, who(r.pid), s.vaddr, s.frame,
                      s.slot, s.dirty ? "written" : "clean: its copy was still there");
    } else {
        ++p.pages_in;
        spdlog::debug("t={:.3f}ms page-in {} {:#x} ← swap slot {} (frame {:#x})", t, who(r.pid), s.vaddr, s.slot,
                      s.frame);
    }
}

void EventLog::on_exit(const Record& r, double t, const Snapshot& fresh) {
    if (running_ == r.pid) account_cpu(t, 0);
    auto& p = process(r.pid);
    p.peak_pages = r.proc.peak_pages;
    p.table_pages = r.proc.table_pages;
    p.ended = r.proc.kill_reason ? fmt::format("killed: {}", kill_reason_text(r.proc.kill_reason))
                            : fmt::format("exit {}", r.proc.status);
    spdlog::info("t={:.3f}ms exit {} ({})", t, who(r.pid), p.ended);
    if (!fresh.map || !processes_.count(r.pid)) return;
    AddressSpaceMap map = *fresh.map;
    map.name = fmt::format("{}", who(r.pid));
    std::string base = fmt::format("{}-{}", file_name_part(p.name), r.pid);
    maps_[base + ".txt"] = format_map(map);
    maps_[base + ".svg"] = render_map_svg(map);
}

void EventLog::write_maps() const {
    if (maps_.empty()) return;
    std::error_code error;
    std::filesystem::create_directories(maps_dir_, error);
    if (error) return spdlog::error("--maps-out: cannot make the folder {}: {}", maps_dir_, error.message());
    size_t written = 0;
    for (const auto& [name, contents] : maps_) {
        std::ofstream out(std::filesystem::path(maps_dir_) / name);
        out << contents;
        if (out) ++written;
        else spdlog::error("--maps-out: cannot write {}/{}", maps_dir_, name);
    }
    if (written == maps_.size())
        spdlog::info("address-space maps of {} processes written to {}", maps_.size() / 2, maps_dir_);
    else
        spdlog::error("--maps-out: {} of {} map files written to {}", written, maps_.size(), maps_dir_);
}

void EventLog::log_summary(uint64_t lost) {
    end_fault_burst();
    spdlog::info("{:<18} {:>9} {:>9} {:>11} {:>5} {:>9} {:>8} {:>10} {:>6}  {}", "process", "cpu ms", "scheduled",
                 "demand-zero", "stack", "paged-out", "paged-in", "peak pages", "tables", "ended");
    // The process on the CPU when the trace ended ran until its last record.
    auto cpu_ms = [&](uint32_t pid, double ms) { return pid == running_ ? ms + last_ms_ - running_since_ : ms; };
    for (const auto& [pid, p] : processes_) {
        nlohmann::json fields = {{"summary", "process"}, {"pid", pid}, {"process", fmt::format("{}", who(pid))},
                                 {"cpu_ms", cpu_ms(pid, p.cpu_ms)}, {"scheduled", p.scheduled},
                                 {"demand_zero", p.demand_zero}, {"stack_growth", p.stack_growth},
                                 {"pages_out", p.pages_out}, {"pages_in", p.pages_in}, {"peak_pages", p.peak_pages},
                                 {"table_pages", p.table_pages}, {"ended", p.ended}};
        LogFields scope(fields);
        spdlog::info("{:<18} {:>9.3f} {:>9} {:>11} {:>5} {:>9} {:>8} {:>10} {:>6}  {}", who(pid), cpu_ms(pid, p.cpu_ms),
                     p.scheduled, p.demand_zero, p.stack_growth, p.pages_out, p.pages_in, p.peak_pages, p.table_pages,
                     p.ended);
    }
    if (untracked_events_)
        spdlog::info("{} events of processes beyond the first {} are not in this table", untracked_events_,
                     max_processes_tracked);
    nlohmann::json fields = {{"summary", "trace"}, {"records", records_}, {"switches", switches_},
                             {"lost", lost}, {"no_process_ms", cpu_ms(0, no_process_ms_)}};
    LogFields scope(fields);
    spdlog::info("trace: {} records drained, {} switches, {:.3f} ms with no process on the CPU, {} lost", records_, switches_,
                 cpu_ms(0, no_process_ms_), lost);
}

} // namespace cocoon::vmm
