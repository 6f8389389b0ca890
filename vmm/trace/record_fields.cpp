#include "vmm/trace/record_fields.h"

#include <fmt/format.h>

#include "cocoon/page_table.h"
#include "vmm/trace/event_words.h"

namespace cocoon::vmm {
namespace {

using nlohmann::json;

std::string hex(uint64_t value) { return fmt::format("{:#x}", value); }

uint64_t tsc_to_ns(uint64_t tsc, uint32_t tsc_khz) {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(tsc) * 1000000 / (tsc_khz ? tsc_khz : 1));
}

json frame_fields(const event::FrameCounts& f) {
    return {{"frames_total", f.total}, {"frames_free", f.free}, {"swap_slots_total", f.swap_total},
            {"swap_slots_used", f.swap_used}};
}

json fault_fields(const event::Fault& f) {
    json j = {{"address", hex(f.address)}, {"rip", hex(f.rip)},     {"cr3", hex(f.cr3)},
              {"vector", f.vector},         {"outcome", outcome_name(f.outcome)}};
    if (f.error_code) {
        const uint32_t e = *f.error_code;
        j.update({{"error_code", e}, {"access", access_text(e)}, {"present", (e & fault_bits::present) != 0},
                  {"write", (e & fault_bits::write) != 0}, {"user", (e & fault_bits::user) != 0},
                  {"fetch", (e & fault_bits::fetch) != 0}});
    }
    if (auto* killed = std::get_if<event::Killed>(&f.outcome)) j["kill_reason"] = kill_reason_text(killed->reason);
    return j;
}

json exit_fields(const event::Exit& x) {
    json j = {{"name", x.name},     {"cr3", hex(x.cr3)},           {"table_pages", x.table_pages},
              {"status", x.status}, {"killed", x.killed.has_value()}, {"peak_pages", x.peak_pages}};
    if (x.killed) j["kill_reason"] = kill_reason_text(*x.killed);
    return j;
}

json swap_fields(uint64_t vaddr, uint64_t slot, uint64_t frame) {
    return {{"vaddr", hex(vaddr)}, {"slot", slot}, {"frame", hex(frame)}};
}

} // namespace

json record_fields(const TraceEvent& e, uint64_t t_ns, uint32_t tsc_khz) {
    json j = {{"seq", e.seq}, {"t_ns", t_ns}, {"tsc", e.tsc}, {"cpu", e.cpu}, {"kind", kind_name(e)}, {"pid", e.pid}};
    j.update(std::visit(
        Overloaded{
            [](const event::Boot& b) { return frame_fields(b.frames); },
            [](const event::Spawn& s) -> json {
                return {{"name", s.name}, {"cr3", hex(s.cr3)}, {"table_pages", s.table_pages}, {"parent", s.parent}};
            },
            [](const event::Exit& x) { return exit_fields(x); },
            [](const event::Switch& s) -> json {
                return {{"from", s.from}, {"to", s.to}, {"reason", switch_reason_text(s.reason)}};
            },
            [](const event::Fault& f) { return fault_fields(f); },
            [](const event::Frames& f) { return frame_fields(f.frames); },
            [&](const event::Disk& d) -> json {
                return {{"device", d.device}, {"op", disk_op_text(d.op)},         {"sector", d.sector},
                        {"bytes", d.bytes},   {"status", disk_status_text(d.status)},
                        {"latency_ns", tsc_to_ns(d.latency_tsc, tsc_khz)}};
            },
            [](const event::PageOut& p) {
                json fields = swap_fields(p.vaddr, p.slot, p.frame);
                fields["written"] = p.written;
                return fields;
            },
            [](const event::PageIn& p) { return swap_fields(p.vaddr, p.slot, p.frame); },
            [](const event::UnknownKind&) { return json::object(); }},
        e.what));
    return j;
}

} // namespace cocoon::vmm
