#include "vmm/trace/event_log.h"

#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "vmm/introspect/address_space_map.h"
#include "vmm/introspect/map_svg.h"

namespace cocoon::vmm {
namespace {

using namespace cocoon::trace;

const char* switch_reason(uint32_t reason) {
    switch (reason) {
    case switch_quantum: return "quantum expired";
    case switch_yield: return "yielded";
    case switch_block: return "blocked";
    case switch_exit: return "exited";
    case switch_first: return "first run";
    default: return "?";
    }
}

const char* disk_op(uint8_t op) {
    switch (op) {
    case 0: return "read";
    case 1: return "write";
    case 4: return "flush";
    case 8: return "get-id";
    default: return "request";
    }
}

const char* disk_status(uint8_t status) {
    switch (status) {
    case 0: return "ok";
    case 1: return "I/O error";
    case 2: return "unsupported";
    default: return "no status";
    }
}

std::string process_name(const Record& r) { return std::string(r.proc.name, strnlen(r.proc.name, sizeof r.proc.name)); }

std::string access_text(uint32_t e) {
    return fmt::format("{}, {}, {}{}", e & 1 ? "present" : "not present", e & 4 ? "user" : "kernel",
                       e & 2 ? "write" : "read", e & 16 ? ", fetch" : "");
}

} // namespace

EventLog::EventLog(const GuestMemory& memory, uint32_t tsc_khz, std::string maps_dir)
    : memory_(memory), tsc_khz_(tsc_khz ? tsc_khz : 1000000), maps_dir_(std::move(maps_dir)) {}

std::string EventLog::who(uint32_t pid) const {
    if (pid == 0) return "idle";
    auto it = processes_.find(pid);
    return fmt::format("{}#{}", it == processes_.end() ? "?" : it->second.name, pid);
}

double EventLog::ms(uint64_t tsc) {
    if (!have_first_) first_tsc_ = tsc, have_first_ = true;
    return tsc < first_tsc_ ? 0 : double(tsc - first_tsc_) / tsc_khz_;
}

void EventLog::record(const Record& r) {
    ++records_;
    double t = ms(r.tsc);
    last_ms_ = t;
    if (!timeline_path_.empty()) add_to_timeline(r, t);
    switch (r.kind) {
    case kind_spawn: {
        processes_[r.pid].name = process_name(r);
        spdlog::info("t={:.3f}ms spawn {} (cr3 {:#x}, parent {})", t, who(r.pid), r.proc.cr3,
                     r.proc.parent ? who(r.proc.parent) : "kernel");
        break;
    }
    case kind_switch:
        ++switches_;
        if (r.sw.to) ++processes_[r.sw.to].scheduled;
        spdlog::debug("t={:.3f}ms switch {} → {} ({})", t, who(r.sw.from), who(r.sw.to), switch_reason(r.sw.reason));
        break;
    case kind_fault: on_fault(r); break;
    case kind_exit: on_exit(r); break;
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
                      disk_op(r.disk.op), r.disk.bytes, r.disk.sector, r.pid ? who(r.pid) : "the kernel",
                      disk_status(r.disk.status), double(r.disk.latency_tsc) / tsc_khz_);
        break;
    default: spdlog::debug("t={:.3f}ms trace record of kind {}", t, r.kind);
    }
}

void EventLog::on_fault(const Record& r) {
    const FaultEvent& f = r.fault;
    double t = double(r.tsc - first_tsc_) / tsc_khz_;
    auto& p = processes_[r.pid];
    switch (f.outcome) {
    case outcome_demand_zero:
        ++p.demand_zero;
        spdlog::debug("t={:.3f}ms fault {} at {:#x} rip {:#x} → demand-zero heap page", t, who(r.pid), f.address, f.rip);
        break;
    case outcome_stack_growth:
        ++p.stack_growth;
        spdlog::debug("t={:.3f}ms fault {} at {:#x} rip {:#x} → stack grows", t, who(r.pid), f.address, f.rip);
        break;
    case outcome_killed:
        if (f.vector == 14)
            spdlog::warn("t={:.3f}ms fault {} {} {:#x} ({}) at rip {:#x} → killed: {}", t, who(r.pid),
                         f.error_code & 16 ? "fetch from" : (f.error_code & 2 ? "write to" : "read of"), f.address,
                         access_text(f.error_code), f.rip, kill_reason_text(f.kill_reason));
        else
            spdlog::warn("t={:.3f}ms fault {} exception {} at rip {:#x} → killed: {}", t, who(r.pid), f.vector, f.rip,
                         kill_reason_text(f.kill_reason));
        break;
    case outcome_panic:
        spdlog::error("t={:.3f}ms kernel panic: exception {} at rip {:#x}, address {:#x}", t, f.vector, f.rip, f.address);
        break;
    default: break;
    }
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
    case kind_exit: timeline_.instant(t, r.pid, r.proc.parent ? "killed" : fmt::format("exit {}", r.proc.status)); break;
    case kind_frames: timeline_.counters(t, r.frames.free, r.frames.swap_used); break;
    case kind_page_out: timeline_.instant(t, r.pid, "page-out"); break;
    default: break;
    }
}

void EventLog::write_timeline() {
    if (timeline_path_.empty()) return;
    timeline_.finish(last_ms_);
    if (timeline_.write(timeline_path_)) spdlog::info("timeline written to {} (open it in ui.perfetto.dev)", timeline_path_);
    else spdlog::error("--trace-out: cannot write {}", timeline_path_);
}

void EventLog::on_paging(const Record& r, double t) {
    auto& p = processes_[r.pid];
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

void EventLog::on_exit(const Record& r) {
    auto& p = processes_[r.pid];
    double t = double(r.tsc - first_tsc_) / tsc_khz_;
    p.ended = r.proc.parent ? fmt::format("killed: {}", kill_reason_text(r.proc.parent))
                            : fmt::format("exit {}", r.proc.status);
    spdlog::info("t={:.3f}ms exit {} ({})", t, who(r.pid), p.ended);
    if (!maps_dir_.empty()) take_map(r.pid, r.proc.cr3);
}

void EventLog::take_map(uint32_t pid, uint64_t cr3) {
    // The kernel waits for this drain before it frees the tables: they are still there.
    AddressSpaceMap map = map_address_space(memory_, cr3, who(pid));
    std::string base = fmt::format("{}-{}", processes_[pid].name, pid);
    maps_[base + ".txt"] = format_map(map);
    maps_[base + ".svg"] = render_map_svg(map);
}

void EventLog::write_maps() const {
    for (const auto& [name, contents] : maps_) {
        std::ofstream out(maps_dir_ + "/" + name);
        out << contents;
        if (!out) spdlog::error("--maps-out: cannot write {}/{}", maps_dir_, name);
    }
    if (!maps_.empty()) spdlog::info("address-space maps of {} processes written to {}", maps_.size() / 2, maps_dir_);
}

void EventLog::log_summary(uint64_t lost) const {
    spdlog::info("{:<20} {:>9} {:>11} {:>12} {:>9} {:>8}  {}", "process", "scheduled", "demand-zero", "stack-growth",
                 "paged-out", "paged-in", "ended");
    for (const auto& [pid, p] : processes_)
        spdlog::info("{:<20} {:>9} {:>11} {:>12} {:>9} {:>8}  {}", who(pid), p.scheduled, p.demand_zero, p.stack_growth,
                     p.pages_out, p.pages_in, p.ended);
    spdlog::info("trace: {} records drained, {} switches, {} lost", records_, switches_, lost);
}

} // namespace cocoon::vmm
