#include "vmm/trace/timeline.h"

#include <fstream>

#include "vmm/trace/event_words.h"

namespace cocoon::vmm {
namespace {

int64_t us(double ms) { return static_cast<int64_t>(ms * 1000.0); }

} // namespace

const char* marker_name(Marker marker) {
    switch (marker) {
    case Marker::fault: return "fault";
    case Marker::page_out: return "pageout";
    case Marker::exit: return "exit";
    case Marker::kill: return "kill";
    }
    return "?";
}

std::optional<Marker> marker_named(std::string_view name) {
    for (Marker marker : markers)
        if (name == marker_name(marker)) return marker;
    return std::nullopt;
}

// A fault's instant is named as its log line ends.
void Timeline::add(const TraceEvent& e, double t_ms) {
    auto fault = [&](const event::Fault& f) {
        std::visit(
            Overloaded{[&](event::PageSupplied s) { instant(t_ms, e.pid, Marker::fault, page_words(s.source).fault); },
                       [&](const event::Killed& k) { instant(t_ms, e.pid, Marker::kill, killed_text(k.reason)); },
                       [](event::KernelPanic) {}, [](event::UnknownOutcome) {}},
            f.outcome);
    };
    auto exit = [&](const event::Exit& x) {
        if (x.killed) instant(t_ms, e.pid, Marker::kill, killed_word);
        else instant(t_ms, e.pid, Marker::exit, ended_text(x));
        left(t_ms, e.pid);
    };
    std::visit(Overloaded{[](const event::Boot&) {},
                          [&](const event::Spawn& s) { process_named(e.pid, s.name); },
                          exit,
                          [&](const event::Switch& s) { switched(t_ms, e.cpu, s.to); },
                          fault,
                          [&](const event::Frames& f) { counters(t_ms, f.frames.free, f.frames.swap_used); },
                          [](const event::Disk&) {},
                          [&](const event::PageOut&) {
                              instant(t_ms, e.pid, Marker::page_out, event::PageOut::kind_name);
                          },
                          [](const event::PageIn&) {},
                          [](const event::UnknownKind&) {}},
               e.what);
}

std::string Timeline::label(uint32_t pid) const {
    auto it = names_.find(pid);
    return (it == names_.end() ? std::string("pid") : it->second) + "#" + std::to_string(pid);
}

void Timeline::process_named(uint32_t pid, const std::string& name) {
    names_[pid] = name;
    events_.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", process_tracks}, {"tid", pid},
                       {"args", {{"name", label(pid)}}}});
}

void Timeline::switched(double t_ms, uint16_t cpu, uint32_t to) {
    if (auto ended = cpus_.switch_to(cpu, to, t_ms)) span(cpu, *ended, t_ms);
}

void Timeline::left(double t_ms, uint32_t pid) {
    if (auto ended = cpus_.leave(pid, t_ms)) span(ended->first, ended->second, t_ms);
}

void Timeline::finish(double t_ms) {
    for (const auto& [cpu, stint] : std::map(cpus_.now())) switched(t_ms, cpu, 0);
}

// A process's time on a CPU is a span on its own track, saying which CPU, and one on the
// CPU's, saying which process.
void Timeline::span(uint16_t cpu, const CpuOccupancy::Stint& stint, double end_ms) {
    if (stint.pid == 0) return;
    cpus_shown_.insert(cpu);
    int64_t start = us(stint.since_ms), end = us(end_ms), dur = end > start ? end - start : 0;
    events_.push_back({{"name", "running"}, {"cat", "cpu"}, {"ph", "X"}, {"ts", start}, {"dur", dur},
                       {"pid", process_tracks}, {"tid", stint.pid}, {"args", {{"cpu", cpu}}}});
    events_.push_back({{"name", label(stint.pid)}, {"cat", "cpu"}, {"ph", "X"}, {"ts", start}, {"dur", dur},
                       {"pid", cpu_tracks}, {"tid", cpu}, {"args", {{"pid", stint.pid}}}});
}

void Timeline::instant(double t_ms, uint32_t pid, Marker marker, const std::string& what) {
    events_.push_back({{"name", what}, {"cat", "fault"}, {"ph", "i"}, {"s", "t"}, {"ts", us(t_ms)},
                       {"pid", process_tracks}, {"tid", pid}, {"args", {{"marker", marker_name(marker)}}}});
}

void Timeline::counters(double t_ms, uint64_t free_frames, uint64_t swap_used) {
    events_.push_back({{"name", "memory"}, {"ph", "C"}, {"ts", us(t_ms)}, {"pid", process_tracks},
                       {"args", {{"free frames", free_frames}, {"swap slots used", swap_used}}}});
}

void Timeline::echo(double from_ms, double to_ms, const std::string& key) {
    nlohmann::json begin = {{"name", "echo"}, {"cat", "console"}, {"ph", "b"}, {"id", ++echoes_},
                            {"pid", console_track}, {"ts", us(from_ms)}, {"args", {{"key", key}}}};
    nlohmann::json end = begin;
    end.erase("args");
    end["ph"] = "e";
    end["ts"] = us(to_ms);
    events_.push_back(std::move(begin));
    events_.push_back(std::move(end));
}

nlohmann::json Timeline::to_json() const {
    auto name = [](const char* what, int pid, const std::string& text, std::optional<uint16_t> tid = std::nullopt) {
        nlohmann::json e = {{"name", what}, {"ph", "M"}, {"pid", pid}, {"args", {{"name", text}}}};
        if (tid) e["tid"] = *tid;
        return e;
    };
    nlohmann::json all = nlohmann::json::array(
        {name("process_name", process_tracks, "guest processes"), name("process_name", cpu_tracks, "guest CPUs")});
    for (uint16_t cpu : cpus_shown_) all.push_back(name("thread_name", cpu_tracks, "CPU " + std::to_string(cpu), cpu));
    if (echoes_) all.push_back(name("process_name", console_track, "console: keys until echoed"));
    for (const auto& e : events_) all.push_back(e);
    return {{"traceEvents", all}, {"displayTimeUnit", "ms"}};
}

bool Timeline::write(const std::string& path) const {
    std::ofstream out(path);
    // Guest names arrive as guest_text, valid UTF-8; should any other text not be, the
    // writer puts U+FFFD for its bad bytes rather than throw.
    out << to_json().dump(1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return static_cast<bool>(out);
}

} // namespace cocoon::vmm
