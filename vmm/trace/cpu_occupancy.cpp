#include "vmm/trace/cpu_occupancy.h"

namespace cocoon::vmm {

std::optional<CpuOccupancy::Stint> CpuOccupancy::switch_to(uint16_t cpu, uint32_t pid, double t_ms) {
    if (cpu >= max_cpus) return std::nullopt;
    std::optional<Stint> ended;
    if (auto it = stints_.find(cpu); it != stints_.end()) ended = it->second;
    stints_[cpu] = Stint{pid, t_ms};
    return ended;
}

std::optional<std::pair<uint16_t, CpuOccupancy::Stint>> CpuOccupancy::leave(uint32_t pid, double t_ms) {
    if (pid == 0) return std::nullopt;
    for (auto& [cpu, stint] : stints_)
        if (stint.pid == pid) return std::pair{cpu, std::exchange(stint, Stint{0, t_ms})};
    return std::nullopt;
}

} // namespace cocoon::vmm
