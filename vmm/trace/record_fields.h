// A trace event's fields as JSON, for --log-json: every field of the record it was
// decoded from, in the words of vmm/trace/event_words.h where the record has a code,
// addresses as "0x…" strings because JSON numbers lose precision past 2^53.
#pragma once
#include <cstdint>

#include <nlohmann/json.hpp>

#include "vmm/trace/trace_event.h"

namespace cocoon::vmm {

// `t_ns` is the time since boot the caller computed from e.tsc.
nlohmann::json record_fields(const TraceEvent& e, uint64_t t_ns, uint32_t tsc_khz);

} // namespace cocoon::vmm
