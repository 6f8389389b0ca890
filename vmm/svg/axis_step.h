// The step between an axis's ticks: a round number (1, 2 or 5 times a power of ten)
// giving about `ticks` ticks over `range`.
#pragma once
#include <cmath>

namespace cocoon::vmm {

inline double axis_step(double range, int ticks) {
    double raw = range / ticks, magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0})
        if (m * magnitude >= raw) return m * magnitude;
    return 10 * magnitude;
}

} // namespace cocoon::vmm
