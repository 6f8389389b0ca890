// Which process each guest CPU runs, and since when, as the trace's switches say: what a
// process's CPU time and the timeline's spans are measured from. A record's `cpu` field
// names its CPU; CPU 0, the one that boots, runs no process from the first record on,
// and any other from its first switch. The fields come from the guest: a CPU numbered
// past what a machine can have is not followed, so a lying kernel cannot grow this.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

namespace cocoon::vmm {

class CpuOccupancy {
public:
    static constexpr uint32_t max_cpus = 256;

    // A process's time on one CPU; pid 0 is time with no process on it.
    struct Stint {
        uint32_t pid = 0;
        double since_ms = 0;
    };

    // CPU `cpu` turns to `pid` at `t_ms`: the stint that ends there, if the CPU had one.
    std::optional<Stint> switch_to(uint16_t cpu, uint32_t pid, double t_ms);
    // `pid` ended at `t_ms`: the CPU it was on, if any, turns to no process; its stint.
    std::optional<std::pair<uint16_t, Stint>> leave(uint32_t pid, double t_ms);
    // The stint each CPU seen is in now.
    const std::map<uint16_t, Stint>& now() const { return stints_; }

private:
    std::map<uint16_t, Stint> stints_{{0, Stint{}}};
};

} // namespace cocoon::vmm
