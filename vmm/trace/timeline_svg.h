// The timeline (the JSON of Timeline::to_json()) drawn as an SVG picture the way a trace
// viewer draws it, so a run can be shown where ui.perfetto.dev is out of reach: a time
// axis in ms, one lane per process with a bar for each time it had the CPU and markers
// for its faults, page-outs, kills and exit, and the free-frame counter beneath.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace cocoon::vmm {

// Never throws on any JSON: events with missing or mistyped fields are skipped (an
// instant's marker, timeline.h, is one of its fields), and a trace with no events still
// draws its axis, saying so.
std::string render_timeline_svg(const nlohmann::json& trace);

} // namespace cocoon::vmm
