#include "vmm/trace/record_fields.h"

#include <cstring>

#include <fmt/format.h>

#include "cocoon/page_table.h"
#include "cocoon/virtio.h"
#include "vmm/log/guest_text.h"

namespace cocoon::vmm {
namespace {

using namespace cocoon::trace;
namespace fault_bits = cocoon::fault_bits;

std::string hex(uint64_t value) { return fmt::format("{:#x}", value); }

uint64_t tsc_to_ns(uint64_t tsc, uint32_t tsc_khz) {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(tsc) * 1000000 / (tsc_khz ? tsc_khz : 1));
}

nlohmann::json fault_fields(const FaultEvent& f) {
    nlohmann::json j = {{"address", hex(f.address)}, {"rip", hex(f.rip)},     {"cr3", hex(f.cr3)},
                        {"vector", f.vector},         {"outcome", fault_outcome_text(f.outcome)}};
    if (f.vector == 14) {
        j["error_code"] = f.error_code;
        j["access"] = access_text(f.error_code);
        j["present"] = (f.error_code & fault_bits::present) != 0;
        j["write"] = (f.error_code & fault_bits::write) != 0;
        j["user"] = (f.error_code & fault_bits::user) != 0;
        j["fetch"] = (f.error_code & fault_bits::fetch) != 0;
    }
    if (f.outcome == outcome_killed) j["kill_reason"] = kill_reason_text(f.kill_reason);
    return j;
}

nlohmann::json process_fields(const Record& r) {
    const ProcessEvent& p = r.proc;
    nlohmann::json j = {{"name", process_name(r)}, {"cr3", hex(p.cr3)}, {"table_pages", p.table_pages}};
    if (r.kind == kind_spawn) {
        j["parent"] = p.parent;
    } else {
        j["status"] = p.status;
        j["killed"] = p.kill_reason != kill_none;
        if (p.kill_reason != kill_none) j["kill_reason"] = kill_reason_text(p.kill_reason);
        j["peak_pages"] = p.peak_pages;
    }
    return j;
}

} // namespace

const char* kind_name(uint16_t kind) {
    switch (kind) {
    case kind_boot: return "boot";
    case kind_spawn: return "spawn";
    case kind_exit: return "exit";
    case kind_switch: return "switch";
    case kind_fault: return "fault";
    case kind_frames: return "frames";
    case kind_disk: return "disk";
    case kind_page_out: return "page-out";
    case kind_page_in: return "page-in";
    default: return "unknown";
    }
}

const char* switch_reason_text(uint32_t reason) {
    switch (reason) {
    case switch_quantum: return "quantum expired";
    case switch_yield: return "yielded";
    case switch_block: return "blocked";
    case switch_exit: return "exited";
    case switch_first: return "first run";
    default: return "?";
    }
}

const char* fault_outcome_text(uint32_t outcome) {
    switch (outcome) {
    case outcome_demand_zero: return "demand-zero";
    case outcome_stack_growth: return "stack growth";
    case outcome_swap_in: return "swap-in";
    case outcome_killed: return "killed";
    case outcome_panic: return "kernel panic";
    default: return "?";
    }
}

const char* disk_op_text(uint8_t op) {
    switch (op) {
    case virtio::blk_in: return "read";
    case virtio::blk_out: return "write";
    case virtio::blk_flush: return "flush";
    case virtio::blk_get_id: return "get-id";
    default: return "request";
    }
}

const char* disk_status_text(uint8_t status) {
    switch (status) {
    case virtio::blk_s_ok: return "ok";
    case virtio::blk_s_ioerr: return "I/O error";
    case virtio::blk_s_unsupp: return "unsupported";
    default: return "no status";
    }
}

std::string access_text(uint32_t e) {
    return fmt::format("{}, {}, {}{}", e & fault_bits::present ? "present" : "not present",
                       e & fault_bits::user ? "user" : "kernel", e & fault_bits::write ? "write" : "read",
                       e & fault_bits::fetch ? ", fetch" : "");
}

std::string process_name(const Record& r) {
    return guest_text(std::string_view(r.proc.name, strnlen(r.proc.name, sizeof r.proc.name)));
}

nlohmann::json record_fields(const Record& r, uint64_t t_ns, uint32_t tsc_khz) {
    nlohmann::json j = {{"seq", r.seq}, {"t_ns", t_ns}, {"tsc", r.tsc}, {"cpu", r.cpu},
                        {"kind", kind_name(r.kind)}, {"pid", r.pid}};
    switch (r.kind) {
    case kind_spawn:
    case kind_exit: j.update(process_fields(r)); break;
    case kind_switch:
        j.update({{"from", r.sw.from}, {"to", r.sw.to}, {"reason", switch_reason_text(r.sw.reason)}});
        break;
    case kind_fault: j.update(fault_fields(r.fault)); break;
    case kind_boot:
    case kind_frames:
        j.update({{"frames_total", r.frames.total}, {"frames_free", r.frames.free},
                  {"swap_slots_total", r.frames.swap_total}, {"swap_slots_used", r.frames.swap_used}});
        break;
    case kind_disk:
        j.update({{"device", r.disk.device}, {"op", disk_op_text(r.disk.op)}, {"sector", r.disk.sector},
                  {"bytes", r.disk.bytes}, {"status", disk_status_text(r.disk.status)},
                  {"latency_ns", tsc_to_ns(r.disk.latency_tsc, tsc_khz)}});
        break;
    case kind_page_out:
    case kind_page_in:
        j.update({{"vaddr", hex(r.swap.vaddr)}, {"slot", r.swap.slot}, {"frame", hex(r.swap.frame)}});
        if (r.kind == kind_page_out) j["written"] = r.swap.dirty != 0;
        break;
    default: break;
    }
    return j;
}

} // namespace cocoon::vmm
