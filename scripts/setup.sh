#!/usr/bin/env bash
# setup.sh: install what cocoon needs to build and test, Debian packages only, and only
# those that are missing. As root it installs them with apt-get; otherwise it says what
# to install. Safe to run again and again: with everything present it does nothing.
set -euo pipefail

packages=(
    cmake make g++ clang               # the build; clang for the libFuzzer targets
    libboost1.81-dev libboost-program-options1.81-dev  # Asio, Program_options
    libspdlog-dev libfmt-dev           # logging
    libgtest-dev                       # unit and KVM tests
    acpica-tools                       # iasl: the unit tests read cocoon's ACPI tables with it
    nlohmann-json3-dev                 # JSON log, trace and map writers
    libseccomp-dev                     # the VMM's system-call filter
    qemu-system-x86                    # the nested-KVM runner and the microvm cross-checks
    linux-image-amd64 busybox-static cpio  # the nested runner's kernel and initramfs
    socat                              # the nested runner's stall report asks QEMU's monitor
    linux-headers-amd64                # a test module for the Linux guest (scripts/linux/)
    gdb                                # the GDB stub's tests
    tmux                               # the console tried in a real terminal (tests/kvm/console_in_tmux.sh)
)
# `setup.sh bench`: also what the benchmarks use (scripts/bench.sh).
[ "${1:-}" = bench ] && packages+=(
    jq                                 # reading cocoon's JSON log
    valgrind                           # instructions per event (callgrind)
)
# `setup.sh screenshot`: what scripts/trace-screenshot.sh drives (a headless Chromium,
# whose DevTools show a --trace-out timeline; node to drive it).
if [ "${1:-}" = screenshot ]; then
    packages+=(chromium)
    command -v npm > /dev/null || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" > /tmp/cocoon-setup.log 2>&1 || {
    tail -n 30 /tmp/cocoon-setup.log >&2
    echo "setup: apt-get install failed (full log: /tmp/cocoon-setup.log)" >&2
    exit 1
}
