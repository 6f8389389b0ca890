#!/usr/bin/env bash
# bench-disk-io.sh: what one disk request costs cocoon's event thread with preadv (what
# VirtioBlk does) and with Boost.Asio's random_access_file over io_uring, at one and at
# sixteen requests in flight. Host only (no KVM); needs liburing-dev, installed here
# when missing and run as root. Prints a table; docs/performance.md reads it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! dpkg-query -W -f='${Status}' liburing-dev 2>/dev/null | grep -q 'install ok installed'; then
    [ "$(id -u)" -eq 0 ] || { echo "bench-disk-io: needs liburing-dev (apt-get install liburing-dev)" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq liburing-dev > /dev/null
fi
scripts/setup.sh
cmake --preset release -DCOCOON_BENCH=ON > /dev/null
cmake --build --preset release -j "$(nproc)" --target disk_io_bench > build/bench-build.log 2>&1 ||
    { tail -20 build/bench-build.log; exit 1; }
mkdir -p build/bench
image=build/bench/io-bench.img
[ -f "$image" ] || head -c $((64 << 20)) /dev/urandom > "$image"
build/release/tests/bench/disk_io_bench "$image"
