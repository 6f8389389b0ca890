// Every word cocoon says for a trace event's codes — a switch's reason, a fault's
// outcome, a kill's reason, a disk request, an access — each written once, here: the log
// lines, the JSON log, the timeline and the summary all take them from this file.
#pragma once
#include <cstdint>
#include <string>

#include "vmm/trace/trace_event.h"

namespace cocoon::vmm {

const char* switch_reason_text(event::SwitchReason reason);  // "quantum expired"; "?" if unknown

inline constexpr const char* killed_word = "killed";
// The contract's words (cocoon/trace.h), which the kernel prints too, or "unknown reason 99".
std::string kill_reason_text(const event::KillReason& reason);
std::string killed_text(const event::KillReason& reason);  // "killed: write to read-only page"
std::string ended_text(const event::Exit& exit);           // "exit 0", or killed_text

// A supplied page in words: its outcome's name in the JSON log ("stack growth"), the end
// of its fault's line and its instant on the timeline ("stack grows"), and a run of them
// ("398 stack pages grown").
struct PageWords {
    const char* name;
    const char* fault;
    const char* page;
    const char* supplied;
};
PageWords page_words(event::PageSource source);
const char* outcome_name(const event::Outcome& outcome);  // "demand-zero", "killed", …; "?" if unknown

const char* disk_op_text(uint8_t op);          // "read", "write", "flush"
const char* disk_status_text(uint8_t status);  // "ok", "I/O error"
// A page fault's error code in words: "not present, user, write, fetch", and the verb of
// its access ("fetch from", "write to", "read of").
std::string access_text(uint32_t error_code);
const char* access_verb(uint32_t error_code);

} // namespace cocoon::vmm
