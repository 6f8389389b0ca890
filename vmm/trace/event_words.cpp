#include "vmm/trace/event_words.h"

#include <fmt/format.h>

#include "cocoon/page_table.h"
#include "cocoon/virtio.h"

namespace cocoon::vmm {
const char* switch_reason_text(event::SwitchReason reason) {
    switch (reason) {
    case event::SwitchReason::quantum_expired: return "quantum expired";
    case event::SwitchReason::yielded: return "yielded";
    case event::SwitchReason::blocked: return "blocked";
    case event::SwitchReason::exited: return "exited";
    case event::SwitchReason::first_run: return "first run";
    case event::SwitchReason::preempted: return "preempted";
    case event::SwitchReason::unknown: break;
    }
    return "?";
}

std::string kill_reason_text(const event::KillReason& reason) {
    return std::visit(
        Overloaded{[](trace::KillReason named) -> std::string { return trace::kill_reason_text(named); },
                   [](event::UnknownReason unknown) { return fmt::format("unknown reason {}", unknown.code); }},
        reason);
}

std::string killed_text(const event::KillReason& reason) {
    return fmt::format("{}: {}", killed_word, kill_reason_text(reason));
}

std::string ended_text(const event::Exit& exit) {
    return exit.killed ? killed_text(*exit.killed) : fmt::format("exit {}", exit.status);
}

PageWords page_words(event::PageSource source) {
    switch (source) {
    case event::PageSource::demand_zero:
        return {"demand-zero", "demand-zero heap page", "heap page", "supplied on first touch"};
    case event::PageSource::stack_growth: return {"stack growth", "stack grows", "stack page", "grown"};
    case event::PageSource::swap: break;
    }
    return {"swap-in", "page is in swap: read it back", "page", "read back from swap"};
}

const char* outcome_name(const event::Outcome& outcome) {
    return std::visit(Overloaded{[](event::PageSupplied supplied) { return page_words(supplied.source).name; },
                                 [](const event::Killed&) { return killed_word; },
                                 [](event::KernelPanic) { return "kernel panic"; },
                                 [](event::UnknownOutcome) { return "?"; }},
                      outcome);
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

const char* access_verb(uint32_t e) {
    return e & fault_bits::fetch ? "fetch from" : e & fault_bits::write ? "write to" : "read of";
}

} // namespace cocoon::vmm
