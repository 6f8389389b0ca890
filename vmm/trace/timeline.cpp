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
                          [&](const event::Switch& s) { switched(t_ms, s.to); },
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

void Timeline::process_named(uint32_t pid, const std::string& name) {
    names_[pid] = name;
    events_.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", guest_cpu}, {"tid", pid},
                       {"args", {{"name", name + "#" + std::to_string(pid)}}}});
}

void Timeline::switched(double t_ms, uint32_t to) {
    finish(t_ms);
    running_ = to;
    since_ms_ = t_ms;
}

void Timeline::left(double t_ms, uint32_t pid) {
    if (running_ == pid) finish(t_ms);
}

void Timeline::finish(double t_ms) {
    if (running_ == 0) return;
    int64_t start = us(since_ms_), end = us(t_ms);
    events_.push_back({{"name", "running"}, {"cat", "cpu"}, {"ph", "X"}, {"ts", start},
                       {"dur", end > start ? end - start : 0}, {"pid", guest_cpu}, {"tid", running_}});
    running_ = 0;
}

void Timeline::instant(double t_ms, uint32_t pid, Marker marker, const std::string& what) {
    events_.push_back({{"name", what}, {"cat", "fault"}, {"ph", "i"}, {"s", "t"}, {"ts", us(t_ms)},
                       {"pid", guest_cpu}, {"tid", pid}, {"args", {{"marker", marker_name(marker)}}}});
}

void Timeline::counters(double t_ms, uint64_t free_frames, uint64_t swap_used) {
    events_.push_back({{"name", "memory"}, {"ph", "C"}, {"ts", us(t_ms)}, {"pid", guest_cpu},
                       {"args", {{"free frames", free_frames}, {"swap slots used", swap_used}}}});
}

void Timeline::echo(double from_ms, double to_ms, const std::string& key) {
    nlohmann::json begin = {{"name", "echo"}, {"cat", "console"}, {"ph", "b"}, {"id", ++echoes_},
                            {"pid", host_console}, {"ts", us(from_ms)}, {"args", {{"key", key}}}};
    nlohmann::json end = begin;
    end.erase("args");
    end["ph"] = "e";
    end["ts"] = us(to_ms);
    events_.push_back(std::move(begin));
    events_.push_back(std::move(end));
}

nlohmann::json Timeline::to_json() const {
    nlohmann::json process_name = {{"name", "process_name"}, {"ph", "M"}, {"pid", guest_cpu},
                                   {"args", {{"name", "guest CPU 0"}}}};
    nlohmann::json all = nlohmann::json::array({process_name});
    if (echoes_)
        all.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", host_console},
                       {"args", {{"name", "console: keys until echoed"}}}});
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
