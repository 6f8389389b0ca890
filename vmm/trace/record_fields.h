// A trace record's fields as words and as JSON. The words are shared by the log lines
// and the JSON so that both say the same thing; the JSON (for --log-json) carries every
// field of the record, addresses as "0x…" strings because JSON numbers lose precision
// past 2^53.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "cocoon/trace.h"

namespace cocoon::vmm {

const char* kind_name(uint16_t kind);             // "switch", "fault", …
const char* switch_reason_text(uint32_t reason);  // "quantum expired"
const char* fault_outcome_text(uint32_t outcome); // "demand-zero", "killed", …
const char* disk_op_text(uint8_t op);             // "read", "write", "flush"
const char* disk_status_text(uint8_t status);     // "ok", "I/O error"
// The page-fault error code in words: "not present, user, write, fetch".
std::string access_text(uint32_t error_code);
// The program name, which the kernel NUL-pads (and may not terminate), as guest_text
// (vmm/log/guest_text.h): printable, valid UTF-8, any other byte as \xHH. The one place
// a name's bytes become text, so every log line, JSON field, timeline and map has it so.
std::string process_name(const trace::Record& r);

// Every field of `r`. `t_ns` is the time since boot the caller computed from r.tsc.
nlohmann::json record_fields(const trace::Record& r, uint64_t t_ns, uint32_t tsc_khz);

} // namespace cocoon::vmm
