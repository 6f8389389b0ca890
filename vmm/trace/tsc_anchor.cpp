#include "vmm/trace/tsc_anchor.h"

namespace cocoon::vmm {

uint64_t TscAnchor::tsc_at(HostTime t, uint32_t tsc_khz) const {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t - host).count();
    __int128 ticks = static_cast<__int128>(ns) * tsc_khz / 1000000;
    __int128 at = static_cast<__int128>(tsc) + ticks;
    return at < 0 ? 0 : static_cast<uint64_t>(at);
}

TscAnchor anchor_tsc(const Vcpu& vcpu) {
    HostTime before = std::chrono::steady_clock::now();
    uint64_t tsc = vcpu.guest_tsc();
    HostTime after = std::chrono::steady_clock::now();
    return {before + (after - before) / 2, tsc};
}

} // namespace cocoon::vmm
