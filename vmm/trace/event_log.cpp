#include "vmm/trace/event_log.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "vmm/introspect/map_svg.h"
#include "vmm/log/guest_text.h"
#include "vmm/log/json_sink.h"
#include "vmm/log/logging.h"
#include "vmm/trace/event_words.h"
#include "vmm/trace/record_fields.h"
#include "vmm/trace/timeline_svg.h"

namespace cocoon::vmm {
namespace {

using nlohmann::json;

// "1 heap page supplied on first touch", "398 stack pages grown"
std::string supplied_pages_text(event::PageSource source, uint64_t pages) {
    PageWords words = page_words(source);
    return fmt::format("{} {}{} {}", pages, words.page, pages == 1 ? "" : "s", words.supplied);
}

// "frames: 63621 free of 64890; swap: 3 of 4096 slots used"
std::string frames_text(const event::FrameCounts& f) {
    if (!f.swap_total) return fmt::format("frames: {} free of {}", f.free, f.total);
    return fmt::format("frames: {} free of {}; swap: {} of {} slots used", f.free, f.total, f.swap_used, f.swap_total);
}

// After such a fault cocoon looks at what was at the address, while the tables are there.
bool is_killing_page_fault(const event::Fault& f) {
    return f.error_code && std::holds_alternative<event::Killed>(f.outcome);
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

double EventLog::ms(uint64_t tsc) {
    if (!have_first_) first_tsc_ = tsc, have_first_ = true;
    return tsc < first_tsc_ ? 0 : double(tsc - first_tsc_) / tsc_khz_;
}

EventLog::Snapshot EventLog::snapshot(const TraceEvent& e, bool map_wanted) const {
    Snapshot fresh;
    const auto* exit = std::get_if<event::Exit>(&e.what);
    if (exit && map_wanted && !maps_dir_.empty()) fresh.map = map_address_space(memory_, exit->cr3, "");
    const auto* fault = std::get_if<event::Fault>(&e.what);
    if (fault && is_killing_page_fault(*fault)) fresh.page = describe_page(memory_, fault->cr3, fault->address);
    return fresh;
}

void EventLog::record(const TraceEvent& e, const Snapshot& fresh) {
    std::lock_guard lock(mutex_);
    ++records_;
    double t = ms(e.tsc);
    last_ms_ = t;
    if (keep_timeline_) timeline_.add(e, t);
    if (!json_log_enabled()) return log_event(e, t, fresh);
    json fields = record_fields(e, static_cast<uint64_t>(t * 1e6), tsc_khz_);
    fields.update(names(e, fresh));
    LogFields scope(fields);
    log_event(e, t, fresh);
}

void EventLog::record_echo(const Echo& echo) {
    std::lock_guard lock(mutex_);
    double t = ms(anchor_.tsc_at(echo.handed, tsc_khz_));
    double latency_ms = std::chrono::duration<double, std::milli>(echo.latency()).count();
    std::string key = key_name(echo.byte);
    if (keep_timeline_) timeline_.echo(t, t + latency_ms, key);
    auto line = [&] { spdlog::debug("t={:.3f}ms echo of {} after {:.3f}ms", t, key, latency_ms); };
    if (!json_log_enabled()) return line();
    json fields = {{"kind", "echo"}, {"key", key}, {"byte", echo.byte}, {"t_ns", static_cast<uint64_t>(t * 1e6)},
                   {"latency_ns", echo.latency().count()}};
    LogFields scope(fields);
    line();
}

// A spawn carries its own name and a switch names both ends; every other event names
// the process it is about, and a page fault that killed says what was at the address.
json EventLog::names(const TraceEvent& e, const Snapshot& fresh) const {
    auto its_process = [&] { return json{{"process", fmt::format("{}", who(e.pid))}}; };
    return std::visit(Overloaded{[&](const event::Boot&) { return its_process(); },
                                 [&](const event::Spawn&) { return json::object(); },
                                 [&](const event::Exit&) { return its_process(); },
                                 [&](const event::Switch& s) {
                                     return json{{"from_name", fmt::format("{}", who(s.from))},
                                                 {"to_name", fmt::format("{}", who(s.to))}};
                                 },
                                 [&](const event::Fault& f) {
                                     json j = its_process();
                                     if (is_killing_page_fault(f)) j["page"] = fresh.page;
                                     return j;
                                 },
                                 [&](const event::Frames&) { return its_process(); },
                                 [&](const event::Disk&) { return its_process(); },
                                 [&](const event::PageOut&) { return its_process(); },
                                 [&](const event::PageIn&) { return its_process(); },
                                 [&](const event::UnknownKind&) { return its_process(); }},
                      e.what);
}

void EventLog::log_event(const TraceEvent& e, double t, const Snapshot& fresh) {
    const uint32_t pid = e.pid;
    std::visit(
        Overloaded{
            [&](const event::Boot& b) { spdlog::debug("t={:.3f}ms boot, {}", t, frames_text(b.frames)); },
            [&](const event::Spawn& s) { on_spawn(pid, s, t); },
            [&](const event::Exit& x) { on_exit(pid, x, t, fresh); },
            [&](const event::Switch& s) { on_switch(e.cpu, s, t); },
            [&](const event::Fault& f) { on_fault(pid, f, t, fresh.page); },
            [&](const event::Frames& f) { spdlog::debug("t={:.3f}ms {}", t, frames_text(f.frames)); },
            [&](const event::Disk& d) {
                spdlog::debug("t={:.3f}ms disk {} {} of {} bytes at sector {} for {} → {} after {:.3f}ms", t,
                              d.device, disk_op_text(d.op), d.bytes, d.sector,
                              pid ? who(pid) : ProcessName{"the kernel", 0}, disk_status_text(d.status),
                              double(d.latency_tsc) / tsc_khz_);
            },
            [&](const event::PageOut& p) {
                ++process(pid).pages_out;
                spdlog::debug("t={:.3f}ms page-out {} {:#x} (frame {:#x}) → swap slot {} ({})", t, who(pid), p.vaddr,
                              p.frame, p.slot, p.written ? "written" : "clean: its copy was still there");
            },
            [&](const event::PageIn& p) {
                ++process(pid).pages_in;
                spdlog::debug("t={:.3f}ms page-in {} {:#x} ← swap slot {} (frame {:#x})", t, who(pid), p.vaddr,
                              p.slot, p.frame);
            },
            [&](const event::UnknownKind& u) { spdlog::debug("t={:.3f}ms trace record of kind {}", t, u.code); }},
        e.what);
}

void EventLog::on_spawn(uint32_t pid, const event::Spawn& s, double t) {
    end_fault_burst();
    process(pid).name = s.name;
    spdlog::info("t={:.3f}ms spawn {} (cr3 {:#x}, parent {})", t, who(pid), s.cr3,
                 s.parent ? who(s.parent) : ProcessName{"kernel", 0});
}

// CPU time goes to the process on the CPU until the next switch, or until its exit
// record: after that the kernel is reaping it (and waits for cocoon to map it).
void EventLog::charge(const CpuOccupancy::Stint& ended, double t) {
    (ended.pid ? process(ended.pid).cpu_ms : no_process_ms_) += t - ended.since_ms;
}

void EventLog::on_switch(uint16_t cpu, const event::Switch& s, double t) {
    end_fault_burst();
    ++switches_;
    if (auto ended = cpus_.switch_to(cpu, s.to, t)) charge(*ended, t);
    if (s.to) ++process(s.to).scheduled;
    spdlog::debug("t={:.3f}ms switch {} → {} ({})", t, who(s.from), who(s.to), switch_reason_text(s.reason));
}

void EventLog::on_fault(uint32_t pid, const event::Fault& f, double t, const std::string& page) {
    extend_fault_burst(pid, f, t);
    auto& p = process(pid);
    auto supplied = [&](event::PageSupplied s) {
        switch (s.source) {
        case event::PageSource::demand_zero: ++p.demand_zero; break;
        case event::PageSource::stack_growth: ++p.stack_growth; break;
        case event::PageSource::swap: break;  // counted by its page-in
        }
        spdlog::debug("t={:.3f}ms fault {} at {:#x} rip {:#x} → {}", t, who(pid), f.address, f.rip,
                      page_words(s.source).fault);
    };
    auto killed = [&](const event::Killed& k) {
        if (f.error_code)
            spdlog::warn("t={:.3f}ms fault {} {} {:#x} ({}; {}) at rip {:#x} → {}", t, who(pid),
                         access_verb(*f.error_code), f.address, page, access_text(*f.error_code), f.rip,
                         killed_text(k.reason));
        else
            spdlog::warn("t={:.3f}ms fault {} exception {} at rip {:#x} → {}", t, who(pid), f.vector, f.rip,
                         killed_text(k.reason));
    };
    std::visit(Overloaded{supplied, killed,
                          [&](event::KernelPanic) {
                              spdlog::error("t={:.3f}ms kernel panic: exception {} at rip {:#x}, address {:#x}", t,
                                            f.vector, f.rip, f.address);
                          },
                          [&](event::UnknownOutcome u) {
                              spdlog::debug("t={:.3f}ms fault {} at {:#x} rip {:#x} with unknown outcome {}", t,
                                            who(pid), f.address, f.rip, u.code);
                          }},
               f.outcome);
}

void EventLog::extend_fault_burst(uint32_t pid, const event::Fault& f, double t) {
    const auto* supplied = std::get_if<event::PageSupplied>(&f.outcome);
    if (burst_.count && (!supplied || pid != burst_.pid || supplied->source != burst_.source)) end_fault_burst();
    if (!supplied) return;
    uint64_t page = f.address & ~uint64_t{0xfff};
    if (!burst_.count) burst_ = FaultBurst{pid, supplied->source, 0, page, page, t, t};
    ++burst_.count;
    burst_.low = std::min(burst_.low, page);
    burst_.high = std::max(burst_.high, page);
    burst_.last_ms = t;
}

void EventLog::end_fault_burst() {
    if (!burst_.count) return;
    json fields = {{"burst", page_words(burst_.source).name}, {"pid", burst_.pid},
                   {"process", fmt::format("{}", who(burst_.pid))}, {"faults", burst_.count},
                   {"low", fmt::format("{:#x}", burst_.low)}, {"high", fmt::format("{:#x}", burst_.high)}};
    LogFields scope(fields);
    spdlog::info("t={:.3f}ms faults {}: {} in {:#x}–{:#x} over {:.3f}ms", burst_.first_ms, who(burst_.pid),
                 supplied_pages_text(burst_.source, burst_.count), burst_.low, burst_.high + 0xfff,
                 burst_.last_ms - burst_.first_ms);
    burst_ = {};
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

void EventLog::on_exit(uint32_t pid, const event::Exit& x, double t, const Snapshot& fresh) {
    end_fault_burst();
    if (auto ended = cpus_.leave(pid, t)) charge(ended->second, t);
    auto& p = process(pid);
    p.peak_pages = x.peak_pages;
    p.table_pages = x.table_pages;
    p.ended = ended_text(x);
    spdlog::info("t={:.3f}ms exit {} ({})", t, who(pid), p.ended);
    if (!fresh.map || !processes_.count(pid)) return;
    AddressSpaceMap map = *fresh.map;
    map.name = fmt::format("{}", who(pid));
    std::string base = fmt::format("{}-{}", file_name_part(p.name), pid);
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
    // The processes on a CPU when the trace ended ran until its last record.
    auto cpu_ms = [&](uint32_t pid, double ms) {
        for (const auto& [cpu, stint] : cpus_.now())
            if (stint.pid == pid) ms += last_ms_ - stint.since_ms;
        return ms;
    };
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
    spdlog::info("trace: {} records drained, {} switches, {:.3f} ms with no process on a CPU, {} lost", records_, switches_,
                 cpu_ms(0, no_process_ms_), lost);
}

} // namespace cocoon::vmm
