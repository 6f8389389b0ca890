// The timeline file: the Chrome Trace Event format's required fields, one track per
// process with spans that never overlap on one CPU, a track per CPU with the same spans,
// instants and counters, the console's echoes as async slices; and its SVG picture: a lane
// per process and per CPU, a bar per span, markers, and no throw on bad input.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "vmm/trace/timeline.h"
#include "vmm/trace/timeline_svg.h"

using cocoon::vmm::Marker;
using cocoon::vmm::render_timeline_svg;
using cocoon::vmm::Timeline;

namespace {

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

bool is_svg(const std::string& svg) { return svg.starts_with("<svg") && svg.ends_with("</svg>\n"); }

using Span = std::pair<int64_t, int64_t>;

// The spans of one group of tracks (Timeline::process_tracks or cpu_tracks), in file order.
std::vector<Span> spans_of(const nlohmann::json& json, int group) {
    std::vector<Span> spans;
    for (const auto& e : json["traceEvents"])
        if (e["ph"] == "X" && e["pid"] == group)
            spans.push_back({e["ts"].get<int64_t>(), e["ts"].get<int64_t>() + e["dur"].get<int64_t>()});
    return spans;
}

} // namespace

TEST(Timeline, SpansFollowTheSwitchesAndNeverOverlap) {
    Timeline t;
    t.process_named(1, "spin");
    t.process_named(2, "spin");
    t.switched(0.5, 0, 1);
    t.switched(10.5, 0, 2);
    t.instant(12.0, 2, Marker::fault, "demand-zero page");
    t.switched(20.5, 0, 0);  // idle
    t.counters(21.0, 1000, 3);
    t.switched(30.0, 0, 1);
    t.finish(35.25);
    auto json = nlohmann::json::parse(t.to_json().dump());
    ASSERT_TRUE(json["traceEvents"].is_array());
    int names = 0, instants = 0, counters = 0;
    for (const auto& e : json["traceEvents"]) {
        for (const char* field : {"name", "ph", "pid"}) EXPECT_TRUE(e.contains(field)) << e;
        std::string ph = e["ph"];
        if (ph == "X") {
            EXPECT_TRUE(e.contains("tid") && e.contains("ts") && e.contains("dur")) << e;
        }
        names += ph == "M" && e["name"] == "thread_name";
        instants += ph == "i";
        counters += ph == "C";
    }
    EXPECT_EQ(names, 3);  // the two processes and CPU 0
    EXPECT_EQ(instants, 1);
    EXPECT_EQ(counters, 1);
    auto spans = spans_of(json, Timeline::process_tracks);
    ASSERT_EQ(spans.size(), 3u);  // spin#1, spin#2, spin#1 again; the idle gap is no span
    EXPECT_EQ(spans[0], (Span{500, 10500}));
    EXPECT_EQ(spans[2], (Span{30000, 35250}));
    for (size_t i = 1; i < spans.size(); ++i) EXPECT_LE(spans[i - 1].second, spans[i].first);
    EXPECT_EQ(spans_of(json, Timeline::cpu_tracks), spans) << "the one CPU ran each of them";
}

// Two CPUs run a process each at once: their spans overlap, each CPU's track says which
// process it ran, and an exit ends the span on the CPU the process was on.
TEST(Timeline, EachCpuHasATrackAndProcessesRunAtOnce) {
    Timeline t;
    t.process_named(1, "heapgrow");
    t.process_named(2, "spin");
    t.switched(1.0, 0, 1);
    t.switched(2.0, 1, 2);
    t.left(3.0, 1);
    t.switched(4.0, 1, 1);  // the same pid, once more, on CPU 1
    t.switched(5.0, 300, 2);  // no machine has a CPU 300: not followed
    t.finish(6.0);
    auto json = t.to_json();
    EXPECT_EQ(spans_of(json, Timeline::process_tracks), (std::vector<Span>{{1000, 3000}, {2000, 4000}, {4000, 6000}}));
    std::vector<std::string> cpu_tracks, ran;
    for (const auto& e : json["traceEvents"]) {
        if (e["ph"] == "M" && e["name"] == "thread_name" && e["pid"] == Timeline::cpu_tracks)
            cpu_tracks.push_back(e["args"]["name"]);
        if (e["ph"] == "X" && e["pid"] == Timeline::cpu_tracks)
            ran.push_back(fmt::format("CPU {} ran {} (pid {})", e["tid"].get<int>(), e["name"].get<std::string>(),
                                      e["args"]["pid"].get<int>()));
        if (e["ph"] == "X" && e["pid"] == Timeline::process_tracks) {
            EXPECT_TRUE(e["args"].contains("cpu")) << e;
        }
    }
    EXPECT_EQ(cpu_tracks, (std::vector<std::string>{"CPU 0", "CPU 1"}));
    EXPECT_EQ(ran, (std::vector<std::string>{"CPU 0 ran heapgrow#1 (pid 1)", "CPU 1 ran spin#2 (pid 2)",
                                             "CPU 1 ran heapgrow#1 (pid 1)"}));
    std::string svg = render_timeline_svg(json);
    ASSERT_TRUE(is_svg(svg));
    EXPECT_NE(svg.find(">CPU 1<"), std::string::npos);
    EXPECT_NE(svg.find("2 processes · 3 spans on 2 CPUs"), std::string::npos) << svg.substr(0, 600);
    EXPECT_NE(svg.find("<title>CPU 1: spin#2 2.000–4.000 ms</title>"), std::string::npos);
    EXPECT_EQ(count(svg, "class='span'"), 6u);
}

// Keys typed faster than they are echoed overlap: each is a begin and an end of its own id.
TEST(Timeline, EchoesAreAsyncSlicesOnTheConsoleTrack) {
    Timeline t;
    t.process_named(1, "sh");
    EXPECT_EQ(count(t.to_json().dump(), "console"), 0u);  // no keys: no console track
    t.echo(1.0, 3.5, "'a'");
    t.echo(2.0, 4.0, "'b'");
    auto json = t.to_json();
    std::vector<std::string> slices;
    bool named = false;
    for (const auto& e : json["traceEvents"]) {
        if (e["ph"] == "b" || e["ph"] == "e")
            slices.push_back(e["ph"].get<std::string>() + std::to_string(e["id"].get<int>()) + "@" +
                             std::to_string(e["ts"].get<int64_t>()) + e.value("args", nlohmann::json::object()).value("key", ""));
        named |= e["ph"] == "M" && e["name"] == "process_name" && e["pid"] == Timeline::console_track;
    }
    EXPECT_EQ(slices, (std::vector<std::string>{"b1@1000'a'", "e1@3500", "b2@2000'b'", "e2@4000"}));
    EXPECT_TRUE(named);
    EXPECT_EQ(count(render_timeline_svg(json), "class='lane'"), 1u);  // the picture keeps its lanes
}

TEST(TimelineSvg, DrawsALanePerProcessABarPerSpanAndMarkers) {
    Timeline t;
    t.process_named(1, "spin");
    t.process_named(2, "writecode");
    t.process_named(3, "a<b&c");
    t.switched(0, 0, 1);
    t.instant(2, 1, Marker::fault, "demand-zero page");
    t.switched(10, 0, 2);
    t.instant(11, 2, Marker::kill, "killed: write to read-only page");
    t.switched(12, 0, 3);
    t.instant(13, 3, Marker::page_out, "page-out");
    t.counters(14, 900, 2);
    t.switched(20, 0, 1);
    t.instant(25, 1, Marker::exit, "exit 0");
    t.finish(30);
    nlohmann::json json = t.to_json();
    std::string svg = render_timeline_svg(json);
    ASSERT_TRUE(is_svg(svg)) << svg;
    for (const char* label : {">spin#1<", ">writecode#2<", ">a&lt;b&amp;c#3<"})
        EXPECT_NE(svg.find(label), std::string::npos) << label;
    EXPECT_EQ(svg.find("a<b"), std::string::npos);
    EXPECT_NE(svg.find(">CPU 0<"), std::string::npos);
    size_t spans = 0;
    for (const auto& e : json["traceEvents"]) spans += e["ph"] == "X";
    EXPECT_EQ(spans, 8u);  // spin, writecode, a<b&c, spin again; on their tracks and on CPU 0's
    EXPECT_EQ(count(svg, "class='span'"), spans);
    EXPECT_EQ(count(svg, "class='kill'"), 1u);
    EXPECT_EQ(count(svg, "class='exit'"), 1u);
    EXPECT_EQ(count(svg, "class='pageout'"), 1u);
    EXPECT_EQ(count(svg, "class='fault'"), 1u);
    EXPECT_NE(svg.find("free frames"), std::string::npos);
    EXPECT_NE(svg.find("swap slots used"), std::string::npos);  // drawn because it is nonzero
    EXPECT_NE(svg.find(">10 ms<"), std::string::npos) << "a round tick on the axis";
}

TEST(TimelineSvg, SliversMergeSoTheFileStaysSmall) {
    Timeline t;
    t.process_named(1, "spin");
    t.process_named(2, "spin");
    for (int i = 0; i < 5000; ++i) t.switched(i * 0.4, 0, 1 + i % 2);  // 0.4 ms each over 2 s: 0.2 px
    t.finish(2000);
    std::string svg = render_timeline_svg(t.to_json());
    ASSERT_TRUE(is_svg(svg));
    EXPECT_GE(count(svg, "class='span'"), 2u);
    EXPECT_LE(count(svg, "class='span'"), 10u);
    EXPECT_LT(svg.size(), 20000u);
}

TEST(TimelineSvg, EmptyAndMalformedInputNeverThrow) {
    std::string empty = render_timeline_svg(Timeline().to_json());
    EXPECT_TRUE(is_svg(empty));
    EXPECT_NE(empty.find("no events"), std::string::npos);
    EXPECT_EQ(count(empty, "class='span'"), 0u);

    using nlohmann::json;
    json garbage = json::array({1, "x", nullptr, json::array(), {{"ph", 3}},
                                {{"ph", "X"}, {"ts", "a"}, {"dur", 1}, {"tid", 1}},
                                {{"ph", "X"}, {"ts", 1}, {"dur", -5}, {"tid", 1}},
                                {{"ph", "X"}, {"ts", 1e300}, {"dur", 1e300}, {"tid", 1}},
                                {{"ph", "X"}, {"ts", std::nan("")}, {"dur", 1}, {"tid", 1}},
                                {{"ph", "X"}, {"ts", 1}, {"dur", 1}, {"tid", 1.5}},
                                {{"ph", "M"}, {"name", "thread_name"}, {"tid", 1}, {"args", "x"}},
                                {{"ph", "M"}, {"name", "thread_name"}, {"tid", "1"}, {"args", {{"name", 5}}}},
                                {{"ph", "i"}, {"tid", 1}, {"ts", 3}, {"name", 7}},
                                {{"ph", "i"}, {"tid", 1}, {"ts", 4}, {"args", {{"marker", 5}}}},
                                {{"ph", "i"}, {"tid", 1}, {"ts", 5}, {"args", {{"marker", "boom"}}}},
                                {{"ph", "C"}, {"name", "memory"}, {"ts", 1}, {"args", {{"free frames", "x"}}}},
                                {{"ph", "C"}, {"name", "memory"}, {"ts", 1}, {"args", json::array()}},
                                {{"ph", "X"}, {"ts", 100}, {"dur", 50}, {"tid", 18446744073709551615ull}}});
    for (const json& input : {json(), json(42), json("trace"), json::array(), json::object(),
                              json{{"traceEvents", 5}}, json{{"traceEvents", garbage}}}) {
        std::string svg;
        EXPECT_NO_THROW(svg = render_timeline_svg(input)) << input;
        EXPECT_TRUE(is_svg(svg)) << input;
    }
    std::string svg = render_timeline_svg({{"traceEvents", garbage}});
    EXPECT_EQ(count(svg, "class='span'"), 1u) << "only the well-formed span";
    EXPECT_NE(svg.find(">tid -1<"), std::string::npos);
}

// The marker is the timeline's word for what an instant is, whatever its label says;
// an instant without a marker the picture knows is not drawn.
TEST(TimelineSvg, MarkersComeFromTheTimelineNotFromTheLabels) {
    Timeline t;
    t.process_named(1, "spin");
    t.switched(0, 0, 1);
    t.instant(2, 1, Marker::fault, "killed: so the label says");
    t.instant(4, 1, Marker::kill, "exit 0");
    t.finish(10);
    nlohmann::json json = t.to_json();
    json["traceEvents"].push_back({{"name", "page-out"}, {"ph", "i"}, {"ts", 6000}, {"pid", 1}, {"tid", 1}});
    std::string svg = render_timeline_svg(json);
    EXPECT_EQ(count(svg, "class='fault'"), 1u);
    EXPECT_EQ(count(svg, "class='kill'"), 1u);
    EXPECT_EQ(count(svg, "class='exit'"), 0u);
    EXPECT_EQ(count(svg, "class='pageout'"), 0u);
    std::vector<std::string> markers;
    for (const auto& e : json["traceEvents"])
        if (e["ph"] == "i" && e.contains("args")) markers.push_back(e["args"]["marker"]);
    EXPECT_EQ(markers, (std::vector<std::string>{"fault", "kill"}));
}

TEST(Timeline, AnExitEndsTheSpanBeforeTheNextSwitch) {
    Timeline t;
    t.process_named(1, "stackoverflow");
    t.switched(1.0, 0, 1);
    t.left(5.0, 2);  // not the one running: nothing changes
    t.left(6.0, 1);  // killed: the kernel reaps it until the next switch
    t.switched(9.0, 0, 2);
    t.finish(10.0);
    auto spans = spans_of(t.to_json(), Timeline::process_tracks);
    ASSERT_EQ(spans.size(), 2u);
    EXPECT_EQ(spans[0], (Span{1000, 6000}));
    EXPECT_EQ(spans[1], (Span{9000, 10000}));
}
