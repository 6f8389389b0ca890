// The figures of the echo latencies: count, median and 99th percentile by nearest rank,
// the worst; memory bounded on a long run.
#include "vmm/console/latency_samples.h"

#include <gtest/gtest.h>

using cocoon::vmm::LatencySamples;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

namespace {

TEST(LatencySamples, NoneGivesZeros) {
    auto f = LatencySamples().figures();
    EXPECT_EQ(f.count, 0u);
    EXPECT_EQ(f.median, nanoseconds(0));
    EXPECT_EQ(f.worst, nanoseconds(0));
}

TEST(LatencySamples, MedianAndP99ByNearestRankInAnyOrder) {
    LatencySamples samples;
    for (int ms = 100; ms >= 1; --ms) samples.add(milliseconds(ms));
    auto f = samples.figures();
    EXPECT_EQ(f.count, 100u);
    EXPECT_EQ(f.median, milliseconds(50));
    EXPECT_EQ(f.p99, milliseconds(99));
    EXPECT_EQ(f.worst, milliseconds(100));
}

TEST(LatencySamples, OneSampleIsEveryFigure) {
    LatencySamples samples;
    samples.add(milliseconds(7));
    auto f = samples.figures();
    EXPECT_EQ(f.median, milliseconds(7));
    EXPECT_EQ(f.p99, milliseconds(7));
    EXPECT_EQ(f.worst, milliseconds(7));
}

// One slow echo among a hundred fast ones shows in the worst, not in the 99th percentile.
TEST(LatencySamples, OneOutlierInAHundredIsTheWorstAlone) {
    LatencySamples samples;
    for (int i = 0; i < 100; ++i) samples.add(milliseconds(1));
    samples.add(milliseconds(500));
    auto f = samples.figures();
    EXPECT_EQ(f.p99, milliseconds(1));
    EXPECT_EQ(f.worst, milliseconds(500));
}

TEST(LatencySamples, PastTheLimitOnlyCountAndWorstGrow) {
    LatencySamples samples;
    for (size_t i = 0; i < LatencySamples::max_kept; ++i) samples.add(milliseconds(1));
    for (int i = 0; i < 10; ++i) samples.add(milliseconds(9));
    auto f = samples.figures();
    EXPECT_EQ(f.count, LatencySamples::max_kept + 10);
    EXPECT_EQ(f.kept, LatencySamples::max_kept);
    EXPECT_EQ(f.p99, milliseconds(1));
    EXPECT_EQ(f.worst, milliseconds(9));
}

} // namespace
