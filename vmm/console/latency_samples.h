// The echo latencies of a run, and the figures the summary gives of them: how many, the
// median, the 99th percentile and the worst. Each is kept exactly, up to max_kept: the
// percentiles are then of the first max_kept, so memory stays bounded on any run, while
// the count and the worst take in every one.
#pragma once
#include <chrono>
#include <cstdint>
#include <vector>

namespace cocoon::vmm {

struct LatencyFigures {
    uint64_t count = 0;
    uint64_t kept = 0;  // the samples behind median and p99
    std::chrono::nanoseconds median{}, p99{}, worst{};
};

class LatencySamples {
public:
    static constexpr size_t max_kept = size_t{1} << 20;

    void add(std::chrono::nanoseconds latency);
    // Percentiles by nearest rank: the smallest sample at or above that share of them.
    LatencyFigures figures() const;

private:
    std::vector<std::chrono::nanoseconds> kept_;
    uint64_t count_ = 0;
    std::chrono::nanoseconds worst_{};
};

} // namespace cocoon::vmm
