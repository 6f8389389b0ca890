#!/usr/bin/env bash
# bench/callgrind.sh: what one event costs cocoon's host side, in instructions counted by
# callgrind (the same figure on a busy machine as on an idle one) and in heap
# allocations. Host only, no KVM: tests/bench/vmm_event_bench drives cocoon's real
# devices and trace code over guest RAM that is host memory, with callgrind collecting
# during the events only. Each event runs N and N/10 times and the difference is divided
# by 0.9 N, which leaves set-up and first-time costs out. Prints a markdown section;
# callgrind's files stay in build/bench/callgrind/ (callgrind_annotate reads them).
#
# Builds with scripts/build.sh release and measures build/release; COCOON_BUILD_DIR=build/NAME
# builds only the benchmark there (release preset) and measures that instead;
# CALLGRIND_EVENTS=N sets N (1000; drains of 512 records run N/10 and N/100 times).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

. scripts/bench/common.sh
out=build/bench/callgrind
mkdir -p "$out"
build=${COCOON_BUILD_DIR:-build/release}
if [ -z "${COCOON_BUILD_DIR:-}" ]; then
    bench_build  # installs valgrind (callgrind and its client-request header) if missing
else
    { cmake --preset release -B "$build" -DCOCOON_BENCH=ON && cmake --build "$build" -j "$(nproc)" --target vmm_event_bench; } \
        > "$out/build.log" 2>&1 || { tail -20 "$out/build.log" >&2; exit 1; }
fi
bench=$build/tests/bench/vmm_event_bench

# A small image, in the page cache since it was just written (or read here).
image=$out/blk.img
[ -f "$image" ] || head -c $((1 << 20)) /dev/zero > "$image"
cat "$image" > /dev/null

# run NAME COUNT ARGS...: one callgrind run of COUNT events; its files are NAME-COUNT.*
run() {
    local name=$1 count=$2 event=$3
    shift 3
    valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$out/$name-$count.out" \
        "$bench" "$event" "$count" "$@" > "$out/$name-$count.txt" 2> "$out/$name-$count.log" ||
        { tail -20 "$out/$name-$count.log" >&2; exit 1; }
}
instructions() { awk '/^totals:/ { print $2 }' "$out/$1.out"; }
allocations() { awk '{ print $4 }' "$out/$1.txt"; }

# Who called operator new during the events: "function calls" lines (callgrind's call
# counts include the uncounted warm-up, which the difference of two runs removes).
new_callers() {
    callgrind_annotate --inclusive=yes --tree=caller "$out/$1.out" 2> /dev/null |
        awk '/^$/ { n = 0; next }
             /^ *[0-9,]+ .*< / { c[n++] = $0; next }
             /\*  .*:operator new\(unsigned long\) \[/ { for (i = 0; i < n; ++i) print c[i] }
             { n = 0 }' |
        sed -e 's/(anonymous namespace):://g' -e 's/^.*< [^:]*:\([^(]*\)(.*(\([0-9,]*\)x) \[.*$/\2\t\1/' |
        tr -d ,
}

# measure NAME N EVENT ARGS...: runs N and N/10 events; sets per_event (instructions,
# less the bench's own per event), allocs and sources (where they come from).
measure() {
    local name=$1 n=$2 event=$3
    shift 3
    local small=$((n / 10))
    run "$name" "$n" "$event" "$@"
    run "$name" "$small" "$event" "$@"
    per_event=$(awk -v a="$(instructions "$name-$n")" -v b="$(instructions "$name-$small")" -v n="$n" -v s="$small" \
        -v t="${overhead:-0}" 'BEGIN { printf "%.0f", (a - b) / (n - s) - t }')
    allocs=$(awk -v a="$(allocations "$name-$n")" -v b="$(allocations "$name-$small")" -v n="$n" -v s="$small" \
        'BEGIN { v = (a - b) / (n - s); printf (v == int(v) ? "%d" : "%.2f"), v }')
    sources=""
    if [ "$allocs" != 0 ]; then
        sources=$(awk -F '\t' -v n="$n" -v s="$small" '
            FNR == NR { calls[$2] += $1; next }
            { calls[$2] -= $1 }
            END { for (f in calls) if (calls[f]) printf "%g\t%s\n", calls[f] / (n - s), f }' \
            <(new_callers "$name-$n") <(new_callers "$name-$small") |
            sort -k1,1nr -k2 | awk -F '\t' '{ printf "%s%s × %s", sep, $2, $1; sep = ", " }')
    fi
}
commas() { sed ':a; s/\B[0-9]\{3\}\>/,&/; ta' <<< "$1"; }

n=${CALLGRIND_EVENTS:-1000}
[ "$n" -ge 100 ] || { echo "callgrind: CALLGRIND_EVENTS must be at least 100" >&2; exit 2; }
per_drain=512  # the kernel's doorbell mark: half its 1024-record ring
rows=()
sources_of=()
measure none "$n" none
overhead=$per_event
row() {  # row LABEL FIGURE
    rows+=("| $1 | $2 | $allocs |")
    [ -z "$sources" ] || sources_of+=("- $1: $sources")
}
measure blk-read "$n" blk-read "$image"
row "virtio-blk request, 4 KiB read" "$(commas "$per_event")"
measure blk-write "$n" blk-write "$image"
row "virtio-blk request, 4 KiB write" "$(commas "$per_event")"
measure uart "$n" uart
row "UART byte out" "$(commas "$per_event")"
measure drain-$per_drain $((n / 10)) trace-drain $per_drain
row "trace-ring drain of $per_drain switch records" \
    "$(commas "$per_event") per drain, $(commas $((per_event / per_drain))) per record"
measure drain-1 "$n" trace-drain 1
row "trace-ring drain of 1 switch record" "$(commas "$per_event")"

cat << EOF
## cocoon's cost per event, in instructions: scripts/bench/callgrind.sh

User-space instructions of cocoon's host side per event, counted by callgrind
(\`valgrind --tool=callgrind\`, collecting during the events only) in
\`tests/bench/vmm_event_bench\` (release build), which runs cocoon's real device and
trace code over guest RAM that is plain host memory, without KVM. Each event ran $n and
$((n / 10)) times (drains of $per_drain records: $((n / 10)) and $((n / 100))); the figure is the
difference divided by the difference in events, less the $overhead instructions the bench
spends around each event (its call and the two collection switches). Heap allocations
are the bench's count of operator new calls during the events, taken the same way. The
kernel's side of system calls (preadv/pwritev, eventfd reads and writes, epoll_wait) is
not in the figures.

| event | instructions per event | heap allocations per event |
|---|---:|---:|
$(printf '%s\n' "${rows[@]}")

- **virtio-blk request**: the kernel driver's chain (16-byte header, one 4 KiB buffer,
  status byte) published in the available ring; counted from the event thread's wake-up
  on the doorbell eventfd (\`io_context::run_one\`: epoll, the handler, reading the
  eventfd, waiting again) through \`VirtioMmioTransport::notify_all\`, \`VirtioBlk\`
  walking the chain, the \`preadv\`/\`pwritev\` on a page-cached 1 MiB image, the used ring
  and the interrupt (an eventfd write, as an irqfd is).
- **UART byte out**: one port write of the kernel's polling console driver from the
  vCPU thread: the port bus's lookup (the UART, exit, PIT and trace ports on it),
  \`Uart::write\` and the output callback keeping the line and writing it to /dev/null
  at each newline (lines of 63 bytes), as the machine's console does.
- **trace-ring drain**: \`TraceDevice::drain\` on the kernel's 1024-record ring, both
  halves: each record checked and taken into the backlog (what a kick costs the kernel),
  then handed to \`EventLog::record\` with the default run's log (info on the console, no
  JSON log): switches between two named processes are accounted and their debug lines
  not printed. The 1-record drain shows what a drain costs besides
  its records: it is little more than one record.
EOF
if [ ${#sources_of[@]} -gt 0 ]; then
    echo
    echo "Where the allocations come from (callers of operator new, per event, from callgrind's call graph):"
    echo
    printf '%s\n' "${sources_of[@]}"
fi
