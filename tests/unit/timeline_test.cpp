// The timeline file: the Chrome Trace Event format's required fields, one track per
// process with spans that never overlap on the one CPU, instants and counters.
#include <gtest/gtest.h>

#include "vmm/trace/timeline.h"

using cocoon::vmm::Timeline;

TEST(Timeline, SpansFollowTheSwitchesAndNeverOverlap) {
    Timeline t;
    t.process_named(1, "spin");
    t.process_named(2, "spin");
    t.switched(0.5, 1);
    t.switched(10.5, 2);
    t.instant(12.0, 2, "demand-zero page");
    t.switched(20.5, 0);  // idle
    t.counters(21.0, 1000, 3);
    t.switched(30.0, 1);
    t.finish(35.25);
    auto json = nlohmann::json::parse(t.to_json().dump());
    ASSERT_TRUE(json["traceEvents"].is_array());
    std::vector<std::pair<int64_t, int64_t>> spans;
    int names = 0, instants = 0, counters = 0;
    for (const auto& e : json["traceEvents"]) {
        for (const char* field : {"name", "ph", "pid"}) EXPECT_TRUE(e.contains(field)) << e;
        std::string ph = e["ph"];
        if (ph == "X") {
            EXPECT_TRUE(e.contains("tid") && e.contains("ts") && e.contains("dur")) << e;
            spans.push_back({e["ts"].get<int64_t>(), e["ts"].get<int64_t>() + e["dur"].get<int64_t>()});
        }
        names += ph == "M" && e["name"] == "thread_name";
        instants += ph == "i";
        counters += ph == "C";
    }
    EXPECT_EQ(names, 2);
    EXPECT_EQ(instants, 1);
    EXPECT_EQ(counters, 1);
    ASSERT_EQ(spans.size(), 3u);  // spin#1, spin#2, spin#1 again; the idle gap is no span
    EXPECT_EQ(spans[0], (std::pair<int64_t, int64_t>{500, 10500}));
    EXPECT_EQ(spans[2], (std::pair<int64_t, int64_t>{30000, 35250}));
    for (size_t i = 1; i < spans.size(); ++i) EXPECT_LE(spans[i - 1].second, spans[i].first);
}
