#!/usr/bin/env bash
# build.sh [PRESET]: set up and build one CMake preset (default: debug).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
preset=${1:-debug}
scripts/setup.sh
cmake --preset "$preset" > /dev/null
cmake --build --preset "$preset" -j "$(nproc)"
