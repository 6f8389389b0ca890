#!/usr/bin/env bash
# test.sh: set up, build and run every test.
#   1. unit tests, natively                        (debug build)
#   2. unit tests under ASan + UBSan, natively     (asan build)
#   3. every libFuzzer target for a few seconds     (fuzz build, clang)
#   4. KVM tests in one boot of scripts/with-kvm.sh: all on the debug build, then on
#      the asan build those whose host code follows what the guest does
# Every stage runs even if an earlier one failed; the exit status says whether all passed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

failed=()
stage() { echo; echo "=== $1"; }
# Each ctest's summary is kept to total the tests at the end.
summaries=$(mktemp)
trap 'rm -f "$summaries"' EXIT
count() { tee -a "$summaries"; }

stage "build (debug)"
scripts/build.sh debug || exit 1
stage "unit tests"
ctest --preset debug -LE kvm --no-tests=error -j "$(nproc)" | count || failed+=("unit")

stage "build (asan)"
if scripts/build.sh asan; then
    stage "unit tests under ASan + UBSan"
    ctest --preset asan --no-tests=error -j "$(nproc)" | count || failed+=("unit-asan")
else
    failed+=("build-asan")
fi

stage "fuzzers, a bounded run each (scripts/fuzz.sh)"
scripts/fuzz.sh 10 || failed+=("fuzz")

# The KVM tests run twice in the one boot: all of them on the debug build, then on the
# ASan build, where every run of cocoon also checks for leaks and undefined behaviour,
# those whose host code follows what the guest does: hostile guests, every disk
# request kind, the trace and its outputs, gdb, machine lifecycles, usertests' kills
# and maps. Left out of the ASan batch, as their length is guest work on host paths
# the batch already covers: the swap workload (disk requests: Disk, HostileGuest, the
# other Swap test), the SIGKILL loop (a killed cocoon reports nothing), the 20,000-yield
# burst (switch records: KernelDemo, Trace through BadTraceRings) and the two stepping
# sessions (gdb packets: the other Gdb tests).
asan_left_out='^(Swap\.ProgramsUseMoreMemory.*|Durability\..*|Trace\.ABurst.*|Gdb\.StepiFromACtrlCStop.*)$'
kvm_batch="ctest --test-dir build/debug -L kvm --no-tests=error --output-on-failure --timeout 900 || status=1; "
kvm_builds=build/debug
if [ -x build/asan/vmm/cocoon ] && [ -x build/asan/tests/kvm/cocoon_kvm_tests ]; then
    kvm_batch+="ctest --test-dir build/asan -L kvm -E '$asan_left_out' --no-tests=error --output-on-failure"
    kvm_batch+=" --timeout 900 || status=1; "
    kvm_builds+=" build/asan"
fi
stage "KVM tests in $kvm_builds (scripts/with-kvm.sh)"
scripts/with-kvm.sh --timeout 3000 -- sh -c "status=0; ${kvm_batch}exit \$status" | count || failed+=("kvm")

echo
read -r passed total < <(sed -n 's/.* tests passed, \([0-9]*\) tests\? failed out of \([0-9]*\).*/\1 \2/p' "$summaries" |
    awk '{ f += $1; t += $2 } END { print t - f, t }')
echo "test: $passed of $total tests passed"
if [ ${#failed[@]} -gt 0 ]; then
    echo "test: FAILED stages: ${failed[*]}"
    failures=$((total - passed))
    # A stage that failed before ctest could count (a build, a nested VM that died)
    # still counts as a failure.
    [ "$failures" -gt 0 ] || failures=${#failed[@]}
    echo "$passed passed, $failures failed"
    exit 1
fi
echo "$passed passed, 0 failed"
