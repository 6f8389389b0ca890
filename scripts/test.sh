#!/usr/bin/env bash
# test.sh: set up, build and run every test.
#   1. unit tests, natively                        (debug build)
#   2. unit tests under ASan + UBSan, natively     (asan build)
#   3. every libFuzzer target for a few seconds     (fuzz build, clang)
#   4. KVM tests, all in one boot of scripts/with-kvm.sh (debug build)
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

stage "KVM tests (scripts/with-kvm.sh)"
scripts/with-kvm.sh --timeout 3000 -- ctest --test-dir build/debug -L kvm --no-tests=error --output-on-failure | count || failed+=("kvm")

echo
read -r passed total < <(sed -n 's/.* tests passed, \([0-9]*\) tests\? failed out of \([0-9]*\).*/\1 \2/p' "$summaries" |
    awk '{ f += $1; t += $2 } END { print t - f, t }')
echo "test: $passed of $total tests passed"
if [ ${#failed[@]} -gt 0 ]; then
    echo "test: FAILED stages: ${failed[*]}"
    echo "$passed passed, $((total - passed)) failed"
    exit 1
fi
echo "$passed passed, 0 failed"
