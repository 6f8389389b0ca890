#!/usr/bin/env bash
# fuzz.sh [SECONDS_EACH] [NAME...]: build the libFuzzer targets (clang, ASan + UBSan)
# and run each on a copy of its seed corpus for SECONDS_EACH (default 10): CI's smoke run.
# fuzz.sh --minutes N [NAME...]: a campaign, N minutes per target, recorded as a table
# (build/fuzz/campaign.md) to put in docs/security.md.
#
# One fuzzer at a time (each uses one core). Prints one line per fuzzer with its
# executions, its corpus and its findings; exits nonzero if any fuzzer found a crash, a
# leak or a hang (the reproducer is kept in build/fuzz/findings/: add it to the target's
# tests/fuzz/corpus/ folder once the cause is fixed). The working corpus,
# build/fuzz/corpus/, grows from run to run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
campaign=0
if [ "${1:-}" = --minutes ]; then
    [[ "${2:-}" =~ ^[0-9]+$ ]] && [ "$2" -gt 0 ] || { echo "fuzz.sh: --minutes wants a whole number of minutes" >&2; exit 2; }
    campaign=1
    seconds=$(($2 * 60))
    shift 2
else
    seconds=${1:-10}
    shift || true
fi
scripts/setup.sh
cmake --preset fuzz > /dev/null
cmake --build --preset fuzz -j "$(nproc)" > build/fuzz-build.log 2>&1 || { tail -30 build/fuzz-build.log; exit 1; }

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for f in tests/fuzz/*_fuzz.cpp; do names+=("$(basename "$f" .cpp)"); done
fi
findings_dir=build/fuzz/findings
mkdir -p "$findings_dir"
count_findings() { find "$findings_dir" -maxdepth 1 \( -name "$1-crash-*" -o -name "$1-leak-*" -o -name "$1-timeout-*" \
    -o -name "$1-oom-*" \) | wc -l; }
table=build/fuzz/campaign.md
if [ $campaign = 1 ]; then
    {
        echo "Campaign of $(date -u +%Y-%m-%d): $((seconds / 60)) min per target, one at a time, on $(nproc) cores," \
            "at $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- vmm include guest tests/fuzz || echo ' with changes')"
        echo
        echo "| target | minutes | executions | corpus | findings |"
        echo "|--------|--------:|-----------:|-------:|----------|"
    } > "$table"
fi
failed=0
for name in "${names[@]}"; do
    seeds=tests/fuzz/corpus/${name%_fuzz}
    work=build/fuzz/corpus/${name%_fuzz}
    mkdir -p "$work"
    [ -d "$seeds" ] && cp -n "$seeds"/* "$work"/ 2>/dev/null || true
    log=build/fuzz/$name.log
    before=$(count_findings "$name")
    if build/fuzz/tests/fuzz/"$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$findings_dir/$name-" "$work" > "$log" 2>&1; then
        result=ok
    else
        result=FOUND
        failed=1
    fi
    found=$(($(count_findings "$name") - before))
    [ $result = ok ] || [ $found -gt 0 ] || found="1 (no reproducer written: see $log)"
    runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo "?")
    corpus=$(find "$work" -maxdepth 1 -type f | wc -l)
    printf 'fuzz: %-24s %-5s %10s executions in %ss, corpus %s, findings %s\n' "$name" "$result" "$runs" "$seconds" \
        "$corpus" "$found"
    if [ $campaign = 1 ]; then
        what=$([ "$found" = 0 ] && echo "none" || grep -m1 -o 'ERROR: .*' "$log" || echo "see $log")
        printf '| `%s` | %s | %s | %s | %s |\n' "$name" "$((seconds / 60))" \
            "$(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<< "$runs")" "$corpus" "$what" >> "$table"
    fi
    [ $result = ok ] || tail -40 "$log"
done
if [ $campaign = 1 ]; then
    echo "Repeat: scripts/fuzz.sh --minutes $((seconds / 60))$([ $# -gt 0 ] && printf ' %s' "$@")" >> "$table"
    echo "fuzz: campaign recorded in $table"
    cat "$table"
fi
exit $failed
