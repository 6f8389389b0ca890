#!/usr/bin/env bash
# fuzz.sh [SECONDS_EACH] [NAME...]: build the libFuzzer targets (clang, ASan + UBSan)
# and run each on a copy of its seed corpus for SECONDS_EACH (default 10). Prints one
# line per fuzzer with executions and findings; exits nonzero if any fuzzer found a
# crash, a leak or a hang (the reproducer is kept in build/fuzz/findings/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-10}
shift || true
scripts/setup.sh
cmake --preset fuzz > /dev/null
cmake --build --preset fuzz -j "$(nproc)" > build/fuzz-build.log 2>&1 || { tail -30 build/fuzz-build.log; exit 1; }

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for f in tests/fuzz/*_fuzz.cpp; do names+=("$(basename "$f" .cpp)"); done
fi
mkdir -p build/fuzz/findings
failed=0
for name in "${names[@]}"; do
    seeds=tests/fuzz/corpus/${name%_fuzz}
    work=build/fuzz/corpus/${name%_fuzz}
    mkdir -p "$work"
    [ -d "$seeds" ] && cp -n "$seeds"/* "$work"/ 2>/dev/null || true
    log=build/fuzz/$name.log
    if build/fuzz/tests/fuzz/"$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix=build/fuzz/findings/"$name"- "$work" > "$log" 2>&1; then
        result=ok
    else
        result=FOUND
        failed=1
    fi
    runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
    printf 'fuzz: %-24s %-5s %10s executions in %ss, corpus %s\n' "$name" "$result" "$runs" "$seconds" \
        "$(ls "$work" | wc -l)"
    [ $result = ok ] || tail -40 "$log"
done
exit $failed
