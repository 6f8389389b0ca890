// The guest's TSC at one moment of the host's steady clock. The trace's time line is the
// guest's TSC; with this, what cocoon sees on the host (a key handed to the guest, its
// echo) takes its place on it, between the records the guest wrote meanwhile.
#pragma once
#include <cstdint>

#include "vmm/console/echo.h"
#include "vmm/kvm/vcpu.h"

namespace cocoon::vmm {

struct TscAnchor {
    HostTime host{};
    uint64_t tsc = 0;

    // The guest's TSC at `t`, for a TSC of `tsc_khz` (0 before the guest's TSC began).
    uint64_t tsc_at(HostTime t, uint32_t tsc_khz) const;
};

// Reads the vCPU's TSC between two looks at the clock. Before the vCPU runs, as the
// vCPU's ioctls then belong to its thread; the guest's TSC counts on meanwhile.
TscAnchor anchor_tsc(const Vcpu& vcpu);

} // namespace cocoon::vmm
