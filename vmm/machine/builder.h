// Assembling a machine from the run's options, one step at a time: the kernel into RAM,
// the legacy devices on the port bus, the vCPUs, the trace device, the disks on the MMIO
// bus, the PVH boot structures and the first vCPU's entry state, the debugger. Each
// step finds what it needs in what the steps before it attached.
#pragma once
#include <cstdint>
#include <memory>
#include <span>

#include "vmm/cli/options.h"
#include "vmm/machine/hardware.h"
#include "vmm/stop_run.h"

namespace cocoon::vmm {

// The guest to boot: file contents, owned by the caller for the machine's lifetime.
struct GuestImages {
    std::span<const uint8_t> kernel;
    std::span<const uint8_t> initrd;  // empty: no module
};

// Throws SetupError. Whatever can end the run (the exit port, the i8042's reset, a vCPU
// whose guest cannot go on, the debugger's kill) calls `stop`.
std::unique_ptr<Hardware> build_hardware(const RunOptions& options, GuestImages images, const StopRun& stop);

} // namespace cocoon::vmm
