// Where the virtio-mmio devices are: the kernel command line says so the way Linux
// reads it, one `virtio_mmio.device=<size>@<base>:<irq>` per device (size and base in
// decimal or 0x-hex, size with an optional K or M). Portable: tested on the host.
#pragma once
#include <stdint.h>

namespace kernel::drivers {

struct MmioWindow {
    uint64_t base;
    uint64_t size;
    uint32_t irq;
};

inline constexpr int max_mmio_windows = 8;

// Fills `out` with the well-formed entries in command-line order; returns how many.
// Malformed entries are skipped.
int parse_virtio_mmio_devices(const char* cmdline, MmioWindow out[max_mmio_windows]);

} // namespace kernel::drivers
