// The run as a timeline in the Chrome Trace Event format (JSON), which ui.perfetto.dev
// and chrome://tracing open: one track per guest process with a span for each time it
// had the CPU, instant events for its faults, kills and exit, counters for free frames
// and swap use, and a console track with a span per key typed, until the guest echoed it.
// Times are milliseconds since the first trace record.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "vmm/trace/trace_event.h"

namespace cocoon::vmm {

// What an instant is, which decides how a picture marks it. The file carries it in the
// instant's args ("marker"), so that a picture never works it out from a label's text.
enum class Marker { fault, page_out, exit, kill };
inline constexpr Marker markers[] = {Marker::fault, Marker::page_out, Marker::exit, Marker::kill};
const char* marker_name(Marker marker);  // "fault", "pageout", "exit", "kill"
std::optional<Marker> marker_named(std::string_view name);

class Timeline {
public:
    void add(const TraceEvent& e, double t_ms);  // what the event shows, through the calls below
    void process_named(uint32_t pid, const std::string& name);  // name: guest_text (vmm/log/guest_text.h)
    // The CPU went to `to` (0: idle): closes the open span, opens the next.
    void switched(double t_ms, uint32_t to);
    // `pid` ended: its span closes even though the next switch is still to come.
    void left(double t_ms, uint32_t pid);
    void instant(double t_ms, uint32_t pid, Marker marker, const std::string& what);
    void counters(double t_ms, uint64_t free_frames, uint64_t swap_used);
    // A key from the host's handing it to the UART to the guest's echo (vmm/console/). Keys
    // typed faster than they are echoed overlap, so each is an async slice of its own.
    void echo(double from_ms, double to_ms, const std::string& key);
    void finish(double t_ms);  // closes the span still open at the end

    nlohmann::json to_json() const;
    bool write(const std::string& path) const;

private:
    static constexpr int guest_cpu = 1;     // the "process" whose threads are the guest's processes
    static constexpr int host_console = 2;  // the "process" whose track holds the echoes
    nlohmann::json events_ = nlohmann::json::array();
    std::map<uint32_t, std::string> names_;
    uint32_t running_ = 0;
    double since_ms_ = 0;
    uint64_t echoes_ = 0;
};

} // namespace cocoon::vmm
