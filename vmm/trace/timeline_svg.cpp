#include "vmm/trace/timeline_svg.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "vmm/svg/axis_step.h"
#include "vmm/svg/xml_escape.h"
#include "vmm/trace/timeline.h"

namespace cocoon::vmm {
namespace {

using nlohmann::json;

constexpr double width = 1200, plot_x = 180, plot_w = width - plot_x - 20;
constexpr double axis_y = 72, lanes_top = 80, lane_h = 24, bar_h = 18;
constexpr double chart_gap = 24, chart_h = 70, legend_gap = 30;
constexpr double min_px = 0.5;     // finer than this is not visible: slivers merge, markers dedupe
constexpr double max_us = 1e15;    // ~31 years: a larger time is garbage, and this keeps the arithmetic finite
// Per process, chosen by pid so a process keeps its colour from run to run; none is
// red, which marks kills.
constexpr const char* palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2",
                                   "#edc948", "#9c755f", "#ff9da7", "#8cd17d", "#a0cbe8"};

struct Instant {
    double ts;
    Marker marker;
    std::string name;
};
struct Span {
    double start, end;  // [start, end) in µs
    int64_t pid;        // the process: its colour
    std::string name;
    bool operator<(const Span& other) const { return start < other.start; }
};
struct Lane {
    std::string label;
    std::vector<Span> spans;
    std::vector<Instant> instants;
};
// A lane per process, then one per CPU: a track's group in the file, then its tid (the
// guest pid, or the CPU's number).
enum class Group { processes, cpus };
using LaneKey = std::pair<Group, int64_t>;
struct Sample {
    double ts, free, swap;
};
struct Trace {
    std::map<LaneKey, Lane> lanes;
    std::vector<Sample> counters;
    double t0 = std::numeric_limits<double>::infinity(), t1 = -t0;
    size_t spans = 0;  // on the process lanes
    size_t processes = 0, cpus = 0;
};

// Field access that cannot throw, whatever the JSON holds (json::value() throws on a
// non-object or a mistyped field).
const json* field(const json& e, const char* key) {
    if (!e.is_object()) return nullptr;
    auto it = e.find(key);
    return it == e.end() ? nullptr : &*it;
}
std::optional<double> number(const json* e, const char* key) {
    const json* f = e ? field(*e, key) : nullptr;
    if (!f || !f->is_number()) return std::nullopt;
    double v = f->get<double>();
    return std::fabs(v) <= max_us ? std::optional(v) : std::nullopt;  // also drops NaN
}
std::string text(const json* e, const char* key) {
    const json* f = e ? field(*e, key) : nullptr;
    return f && f->is_string() ? f->get<std::string>() : std::string();
}

Trace parse(const json& trace) {
    Trace t;
    const json* events = field(trace, "traceEvents");
    if (!events || !events->is_array()) return t;
    for (const json& e : *events) {
        const json* tid_field = field(e, "tid");
        std::optional<int64_t> tid;
        if (tid_field && tid_field->is_number_integer()) tid = tid_field->get<int64_t>();
        Group group = number(&e, "pid") == Timeline::cpu_tracks ? Group::cpus : Group::processes;
        std::string ph = text(&e, "ph");
        std::optional<double> ts = number(&e, "ts"), dur = number(&e, "dur");
        std::optional<Marker> marker = ph == "i" ? marker_named(text(field(e, "args"), "marker")) : std::nullopt;
        double end = ts.value_or(0) + dur.value_or(0);
        if (ph == "M") {
            std::string name = text(field(e, "args"), "name");
            if (tid && text(&e, "name") == "thread_name" && !name.empty()) t.lanes[{group, *tid}].label = name;
            continue;
        }
        if (ph == "X" && tid && ts && dur && *dur >= 0) {
            // A CPU's span names the process it ran, and its pid is in the args.
            auto pid = group == Group::cpus ? number(field(e, "args"), "pid") : std::optional<double>(*tid);
            t.lanes[{group, *tid}].spans.push_back({*ts, end, static_cast<int64_t>(pid.value_or(0)), text(&e, "name")});
            t.spans += group == Group::processes;
        } else if (ph == "i" && tid && ts && marker) {
            t.lanes[{group, *tid}].instants.push_back({*ts, *marker, text(&e, "name")});
        } else if (ph == "C" && ts && text(&e, "name") == "memory") {
            std::optional<double> free = number(field(e, "args"), "free frames");
            if (!free) continue;
            t.counters.push_back({*ts, *free, number(field(e, "args"), "swap slots used").value_or(0)});
        } else {
            continue;
        }
        t.t0 = std::min(t.t0, *ts);
        t.t1 = std::max(t.t1, ph == "X" ? end : *ts);
    }
    for (auto& [key, lane] : t.lanes) {
        if (lane.label.empty()) lane.label = fmt::format("{} {}", key.first == Group::cpus ? "CPU" : "tid", key.second);
        std::sort(lane.spans.begin(), lane.spans.end());  // for merging; any input order is accepted
        ++(key.first == Group::cpus ? t.cpus : t.processes);
    }
    std::stable_sort(t.counters.begin(), t.counters.end(),
                     [](const Sample& a, const Sample& b) { return a.ts < b.ts; });
    return t;
}

// How a marker is drawn: its class's style, its path from (x, y + dy) (▲ fault,
// ▼ page-out, ◆ exit, a larger ▼ for a kill), its words in the legend.
struct MarkerLook {
    const char* style;
    double dy;
    const char* path;
    const char* legend;
};

MarkerLook look(Marker marker) {
    switch (marker) {
    case Marker::fault: return {"fill:#1d3557", -3.5, "l4,7h-8z", "page fault: demand-zero, stack growth, from swap"};
    case Marker::page_out: return {"fill:#7b2cbf", 3.5, "l4,-7h-8z", "page-out"};
    case Marker::exit: return {"fill:#111", -5, "l5,5l-5,5l-5,-5z", "exit"};
    case Marker::kill: break;
    }
    return {"fill:#d00000;stroke:#fff", 5.5, "l6,-11h-12z", "killed"};
}

// Centred on (x, y).
std::string marker_path(Marker marker, double x, double y) {
    MarkerLook l = look(marker);
    return fmt::format("M{:.1f},{:.1f}{}", x, y + l.dy, l.path);
}

} // namespace

std::string render_timeline_svg(const nlohmann::json& trace) {
    Trace t = parse(trace);
    if (!(t.t1 - t.t0 >= 1)) {  // no events, or all at one instant: show 1 ms
        if (!std::isfinite(t.t0)) t.t0 = 0;
        t.t1 = t.t0 + 1000;
    }
    const double scale = plot_w / (t.t1 - t.t0);
    auto x_of = [&](double ts) { return plot_x + (ts - t.t0) * scale; };
    const double lanes_end = lanes_top + double(std::max<size_t>(t.lanes.size(), 1)) * lane_h;
    const double chart_top = lanes_end + chart_gap, chart_end = chart_top + chart_h;
    const double grid_end = t.counters.empty() ? lanes_end : chart_end;
    const double legend_y = grid_end + legend_gap;

    std::string styles;
    for (Marker m : markers) styles += fmt::format(" .{}{{{}}}", marker_name(m), look(m).style);
    std::string svg = fmt::format(
        "<svg xmlns='http://www.w3.org/2000/svg' width='{}' height='{:.0f}' font-family='sans-serif' "
        "font-size='12'>\n<style>.lane{{fill:#222}} .cpu{{font-style:italic}} .small{{fill:#555;font-size:11px}}{}</style>\n"
        "<rect width='100%' height='100%' fill='white'/>\n"
        "<text x='20' y='26' font-size='16' font-weight='bold'>timeline</text>\n"
        "<text x='20' y='44' class='small'>{} processes · {} spans on {} CPU{} · {:.3f} ms</text>\n",
        width, legend_y + 16, styles, t.processes, t.spans, t.cpus, t.cpus == 1 ? "" : "s", (t.t1 - t.t0) / 1000);

    size_t row = 0;
    for (const auto& [key, lane] : t.lanes) {
        double y = lanes_top + double(row) * lane_h;
        if (row++ % 2)
            svg += fmt::format("<rect x='0' y='{}' width='{}' height='{}' fill='#f4f4f4'/>\n", y, width, lane_h);
        svg += fmt::format("<text x='{}' y='{:.1f}' text-anchor='end' class='lane{}'>{}</text>\n", plot_x - 8,
                           y + lane_h / 2 + 4, key.first == Group::cpus ? " cpu" : "", xml_escape(lane.label));
    }
    if (t.lanes.empty() && t.counters.empty())
        svg += fmt::format("<text x='{}' y='{}' text-anchor='middle' class='small'>no events</text>\n",
                           plot_x + plot_w / 2, lanes_top + lane_h / 2 + 4);

    // The axis, with a grid line through the lanes and the chart at each tick.
    const double step = axis_step((t.t1 - t.t0) / 1000, 10), first = std::ceil(t.t0 / 1000 / step) * step;
    const int decimals = std::clamp(int(-std::floor(std::log10(step))), 0, 6);
    svg += fmt::format("<line x1='{0}' y1='{1}' x2='{2}' y2='{1}' stroke='#333'/>\n", plot_x, axis_y, plot_x + plot_w);
    for (int i = 0; i <= 12; ++i) {  // counted, not stepped: t0 + step may equal t0 in floating point
        double ms = first + i * step + 0.0;  // + 0.0: no "-0" label
        if (ms * 1000 > t.t1) break;
        double x = x_of(ms * 1000);
        svg += fmt::format("<line x1='{0:.1f}' y1='{1}' x2='{0:.1f}' y2='{2}' stroke='#ddd'/>\n"
                           "<text x='{0:.1f}' y='{3}' text-anchor='middle' class='small'>{4:.{5}f} ms</text>\n",
                           x, axis_y - 4, grid_end, axis_y - 8, ms, decimals);
    }

    row = 0;
    for (const auto& entry : t.lanes) {  // no structured binding: clang < 16 cannot capture one
        const bool cpu = entry.first.first == Group::cpus;
        const Lane& lane = entry.second;
        const double y = lanes_top + double(row++) * lane_h, mid = y + lane_h / 2;
        // A long run at a short quantum has thousands of spans a fraction of a pixel
        // wide; one rect each would make a huge file that looks the same. So a span
        // narrower than min_px that starts within min_px of the previous rect (or a
        // span right after such a sliver) joins it, takes its colour, and the title
        // counts the spans. A bar has its process's colour, on a CPU's lane too.
        double x0 = 0, x1 = 0, s0 = 0, s1 = 0;
        size_t n = 0;
        const Span* first = nullptr;
        auto flush = [&] {
            if (n == 0) return;
            const char* fill = palette[static_cast<uint64_t>(first->pid) % std::size(palette)];
            std::string what = cpu ? lane.label + ": " + first->name : lane.label;
            svg += fmt::format("<rect class='span' x='{:.1f}' y='{:.1f}' width='{:.1f}' height='{}' fill='{}'>"
                               "<title>{} {:.3f}–{:.3f} ms{}</title></rect>\n",
                               x0, y + (lane_h - bar_h) / 2, std::max(x1 - x0, min_px), bar_h, fill,
                               xml_escape(what), s0 / 1000, s1 / 1000, n > 1 ? fmt::format(" ({} spans)", n) : "");
        };
        for (const Span& span : lane.spans) {
            double xa = x_of(span.start), xb = x_of(span.end);
            if (n && xa - x1 < min_px && (xb - xa < min_px || x1 - x0 < min_px)) {
                x1 = std::max(x1, xb), s1 = std::max(s1, span.end), ++n;
                continue;
            }
            flush();
            x0 = xa, x1 = xb, s0 = span.start, s1 = span.end, n = 1, first = &span;
        }
        flush();
        // Markers of one kind closer than min_px are one marker.
        std::set<std::pair<Marker, long>> drawn;
        for (const Instant& in : lane.instants) {
            double x = x_of(in.ts);
            if (!drawn.insert({in.marker, std::lround(x / min_px)}).second) continue;
            svg += fmt::format("<path class='{}' d='{}'><title>{}: {} at {:.3f} ms</title></path>\n",
                               marker_name(in.marker), marker_path(in.marker, x, mid), xml_escape(lane.label),
                               xml_escape(in.name), in.ts / 1000);
        }
    }

    if (!t.counters.empty()) {
        double top = 1;
        bool swapped = false;
        for (const Sample& s : t.counters) top = std::max({top, s.free, s.swap}), swapped |= s.swap > 0;
        auto y_of = [&](double v) { return chart_end - std::max(v, 0.0) / top * chart_h; };
        // A counter holds its value until the next sample: a step line, ending at the
        // end of the run. Samples within min_px of the previous keep only the last value.
        auto steps = [&](double Sample::*value) {
            std::vector<std::pair<double, double>> points;
            for (const Sample& s : t.counters) {
                double x = x_of(s.ts);
                if (!points.empty() && x - points.back().first < min_px) points.back().second = s.*value;
                else points.push_back({x, s.*value});
            }
            std::string d = fmt::format("M{:.1f},{:.1f}", points[0].first, y_of(points[0].second));
            for (size_t i = 1; i < points.size(); ++i)
                d += fmt::format("H{:.1f}V{:.1f}", points[i].first, y_of(points[i].second));
            return d + fmt::format("H{:.1f}", plot_x + plot_w);
        };
        svg += fmt::format("<line x1='{0}' y1='{1}' x2='{2}' y2='{1}' stroke='#bbb' stroke-dasharray='3,3'/>\n"
                           "<line x1='{0}' y1='{3}' x2='{2}' y2='{3}' stroke='#333'/>\n"
                           "<text x='{4}' y='{5}' text-anchor='end' class='small'>{6:.0f}</text>\n"
                           "<text x='{4}' y='{3}' text-anchor='end' class='small'>0</text>\n"
                           "<text x='20' y='{5}' fill='#2d6a4f'>free frames</text>\n"
                           "<path d='{7}V{3}H{8:.1f}Z' fill='#95d5b2' fill-opacity='0.6' stroke='#2d6a4f'/>\n",
                           plot_x, chart_top, plot_x + plot_w, chart_end, plot_x - 6, chart_top + 4, top,
                           steps(&Sample::free), x_of(t.counters[0].ts));
        if (swapped)
            svg += fmt::format("<text x='20' y='{}' fill='#e76f51'>swap slots used</text>\n"
                               "<path d='{}' fill='none' stroke='#e76f51' stroke-width='1.5'/>\n",
                               chart_top + 20, steps(&Sample::swap));
    }

    // The legend: what a bar and each marker mean.
    svg += fmt::format("<rect x='20' y='{}' width='14' height='10' fill='{}'/>\n", legend_y - 9, palette[1]);
    double x = 40;
    auto words = [&](std::string_view label) {
        svg += fmt::format("<text x='{:.0f}' y='{}' class='small'>{}</text>\n", x, legend_y, label);
        x += 6.2 * label.size() + 20;
    };
    words("on the CPU (slivers under 0.5 px merged)");
    for (Marker m : markers) {
        svg += fmt::format("<path class='{} legend' d='{}'/>\n", marker_name(m), marker_path(m, x + 6, legend_y - 4));
        x += 16;
        words(look(m).legend);
    }
    return svg + "</svg>\n";
}

} // namespace cocoon::vmm
