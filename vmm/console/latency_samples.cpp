#include "vmm/console/latency_samples.h"

#include <algorithm>

namespace cocoon::vmm {
namespace {

// The sample of rank ceil(percent / 100 * n), counting from 1, in `sorted`.
std::chrono::nanoseconds nearest_rank(const std::vector<std::chrono::nanoseconds>& sorted, uint64_t percent) {
    size_t rank = (sorted.size() * percent + 99) / 100;
    return sorted[std::max<size_t>(rank, 1) - 1];
}

} // namespace

void LatencySamples::add(std::chrono::nanoseconds latency) {
    ++count_;
    worst_ = std::max(worst_, latency);
    if (kept_.size() < max_kept) kept_.push_back(latency);
}

LatencyFigures LatencySamples::figures() const {
    LatencyFigures f{count_, kept_.size(), {}, {}, worst_};
    if (kept_.empty()) return f;
    std::vector<std::chrono::nanoseconds> sorted = kept_;
    std::sort(sorted.begin(), sorted.end());
    f.median = nearest_rank(sorted, 50);
    f.p99 = nearest_rank(sorted, 99);
    return f;
}

} // namespace cocoon::vmm
