#!/usr/bin/env bash
# echo.sh: how soon a process answers a key while CPU-bound jobs run — cocoon's echo
# latency (docs/vmm.md, The console) with 0, 4 and 16 spinners (`burn`) beside `rawecho`,
# at quantum 1, 10 and 100 ms, under sched=rr and sched=waker: 18 runs of cocoon in one
# boot of the nested runner (or on this host's KVM when it has one). Keys are digits
# typed through a pipe at a human pace once every job has started; `rawecho` (raw mode)
# writes each back itself, so the scheduler decides how soon. Prints a Markdown section;
# raw outputs stay in build/bench/echo/, the plot goes to docs/images/echo-latency.svg.
# COCOON_BUILD_DIR=build/NAME measures that (already configured, with COCOON_BENCH=ON)
# build instead of building build/release; ECHO_KEYS=N keys per run (default 200),
# ECHO_PACE_MS=MS between two keys (default 150); ECHO_REUSE=1 skips the runs and writes
# the section from the last one's outputs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=${COCOON_BUILD_DIR:-build/release}
keys=${ECHO_KEYS:-200}
pace_ms=${ECHO_PACE_MS:-150}
schedulers="rr waker" quanta="1 10 100" spinner_counts="0 4 16"
. scripts/bench/common.sh
bench_use_build cocoon svg_plot
out=build/bench/echo

measure_all() {
rm -rf "$out"
mkdir -p "$out"
# The nested runner takes one command line: the runs go in a script of their own. Each
# run appends `SCHED QUANTUM SPINNERS status=S typed_ms=T` to runs.txt; its console, log
# stay as out/SCHED-qQUANTUM-nSPINNERS.{out,err}. No JSON log: it would take every
# switch as a line, and cocoon's work for it would share the runner's CPUs.
cat > "$out/run.sh" <<EOF
out=$out
cocoon=$build/vmm/cocoon
keys=$keys
pace=$(awk -v ms="$pace_ms" 'BEGIN { printf "%.3f", ms / 1000 }')
EOF
cat >> "$out/run.sh" <<'EOF'
# wait_for TEXT FILE COUNT: until FILE has COUNT lines with TEXT (60 s at most).
wait_for() {
    tries=0
    while [ "$(grep -c -- "$1" "$2")" -lt "$3" ]; do
        tries=$((tries + 1))
        [ $tries -le 600 ] || { echo "echo bench: no '$1' x$3 in $2" >&2; return 1; }
        sleep 0.1
    done
}

# One configuration: rawecho and the spinners started by the kernel, keys typed once
# each has said it runs (a line printed between a key and its echo would cost that key
# its timing), Ctrl-D to end rawecho, then SIGTERM to end the spinners and the run.
measure() {  # SCHED QUANTUM SPINNERS
    name=$1-q$2-n$3
    init=rawecho
    for i in $(seq 1 $3); do init=$init,burn; done
    fifo=/tmp/echo-bench.fifo  # not in the shared folder: 9p makes no FIFOs
    rm -f "$fifo" /tmp/echo-bench.pause
    mkfifo "$fifo" /tmp/echo-bench.pause
    $cocoon run --cmdline "init=$init sched=$1 quantum_ms=$2" \
        < "$fifo" > "$out/$name.out" 2> "$out/$name.err" &
    vmm=$!
    exec 3> "$fifo" 4<> /tmp/echo-bench.pause  # 4: nothing ever comes, read -t waits
    typed_ms=0
    if wait_for "rawecho: raw mode" "$out/$name.out" 1 && wait_for "spinning until killed" "$out/$name.out" $3; then
        start=$(date +%s%N)
        for k in $(seq 1 $keys); do
            printf '%d' $((k % 10)) >&3
            read -t $pace -u 4  # a pause without a fork: a sleep took a second here
        done
        typed_ms=$((($(date +%s%N) - start) / 1000000))
        printf '\004' >&3
        wait_for "rawecho: done" "$out/$name.out" 1
    fi
    # With no spinner the guest powers off once rawecho ends.
    [ $3 = 0 ] || kill -TERM $vmm
    wait $vmm
    status=$?
    exec 3>&- 4>&-
    rm -f "$fifo"
    echo "$1 $2 $3 status=$status typed_ms=$typed_ms" >> "$out/runs.txt"
}

for sched in SCHEDULERS; do
    for quantum in QUANTA; do
        for spinners in SPINNERS; do
            measure $sched $quantum $spinners
        done
    done
done
true
EOF
sed -i "s/SCHEDULERS/$schedulers/; s/QUANTA/$quanta/; s/SPINNERS/$spinner_counts/" "$out/run.sh"
# Two CPUs for the runner: cocoon's vCPU thread spins with the guest's spinners, and its
# timer and event threads and the typing must not wait for a turn behind it.
bench_load > "$out/load.txt"
scripts/with-kvm.sh --smp 2 --timeout 2400 -- bash "$out/run.sh"
bench_load >> "$out/load.txt"
}
[ -n "${ECHO_REUSE:-}" ] || measure_all

where=$(bench_where)

# results.txt: `SCHED QUANTUM SPINNERS handed echoed not_echoed unread median p99 worst
# typed_ms status turn`, times in ms, from each run's summary lines in the JSON log; turn
# is a spinner's mean time on the CPU each time it was scheduled (0 with none).
while read -r sched quantum spinners status typed; do
    name=$sched-q$quantum-n$spinners
    figures=$(awk '/console input: / {
            gsub(/[,;:()]/, " ")
            for (i = 1; i <= NF; ++i) {
                if ($i == "input") handed = $(i + 1)
                if ($i == "of") echoed = $(i + 1)
                if ($i == "median") median = $(i + 1)
                if ($i == "percentile") p99 = $(i + 1)
                if ($i == "worst") worst = $(i + 1)
                if ($i == "not" && $(i + 1) == "echoed") not_echoed = $(i - 1)
                if ($i == "never") unread = $(i - 1)
            }
            print handed, echoed, not_echoed, unread + 0, median, p99, worst
        }' "$out/$name.err")
    # The summary's process rows: `[cocoon info] burn#2 CPU_MS SCHEDULED ...`.
    turn=$(awk '$3 ~ /^burn#/ { ms += $4; turns += $5 } END { print turns ? ms / turns : 0 }' "$out/$name.err")
    echo "$sched $quantum $spinners ${figures:-0 0 0 0 0 0 0} ${typed#typed_ms=} ${status#status=} $turn"
done < "$out/runs.txt" > "$out/results.txt"

ms() {  # a time in ms, to three significant figures or so
    awk -v v="$1" 'BEGIN { if (v < 10) printf "%.2f", v; else if (v < 100) printf "%.1f", v; else printf "%.0f", v }'
}
row() {  # SCHED QUANTUM SPINNERS: that run's results line
    awk -v s="$1" -v q="$2" -v n="$3" '$1 == s && $2 == q && $3 == n' "$out/results.txt"
}

echo "## Echo latency under load: scripts/bench/echo.sh"
echo
echo "Measured on $where, with two CPUs for the runner (\`--smp 2\`) so that cocoon's timer and"
echo "event threads and the typing need not wait behind its busy vCPU thread."
[ ! -s "$out/load.txt" ] || echo "The host's load average was $(head -1 "$out/load.txt") before the runs and" \
    "$(tail -1 "$out/load.txt") after (on two cores shared with other work)."
echo
mean_pace=$(awk -v keys="$keys" '$11 > 0 { t += $11; n++ } END { if (n) printf "%.0f", t / n / keys }' "$out/results.txt")
echo "Each row is one run of \`cocoon run --cmdline 'init=rawecho,burn,... sched=S quantum_ms=Q'\`:"
echo "\`rawecho\` puts the console in raw mode and writes back each byte it reads, as an"
echo "editor echoes its keys, beside N spinners (\`burn\`, CPU-bound, never blocking). Once"
echo "every job has said it runs, $keys digits are typed through a pipe on cocoon's stdin,"
echo "one every $pace_ms ms (${mean_pace} ms on average, with the typing's own overhead), then Ctrl-D."
echo "The figures are cocoon's summary (\`console input: …\`): for each key, from its entry"
echo "into the UART's receive FIFO to \`rawecho\`'s write of it, ms. p99 is the 99th"
echo "percentile by nearest rank: the $(((keys * 99 + 99) / 100))th-smallest of the $keys."
echo "The goal is a worst case no longer than one quantum for each runnable process ahead"
echo "of the echoing one: spinners × quantum. The kernel ends a slice at a timer tick, once"
echo "the ticks or its own TSC-measured milliseconds reach the quantum; under a slow runner the"
echo "ticks come late and the TSC's calibration errs, so *turn* gives the quantum as it was: a"
echo "spinner's mean time on the CPU each time it was scheduled under rr (its CPU time over"
echo "its turns, from cocoon's summary), and the goal is spinners × turn. The echo's own path"
echo "(interrupt, wake-up, switch, \`read\`, \`write\`, the UART) takes time too, slowed by the"
echo "nested runner where the quanta are not: so a row *meets* the goal when its worst case"
echo "is within the goal plus the worst case with no spinner at the same quantum and scheduler"
echo "(the row with 0 spinners, the baseline)."
echo
echo "| spinners | quantum | turn | goal | rr: median | p99 | worst | met? | waker: median | p99 | worst | met? |"
echo "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|"
for spinners in $spinner_counts; do
    for quantum in $quanta; do
        turn=$(row rr $quantum $spinners | awk '{ print $13 }')
        goal=$(awk -v n="$spinners" -v t="$turn" 'BEGIN { print n * t }')
        if [ "$spinners" = 0 ]; then
            line="| 0 | $quantum ms | – | – |"
        else
            line="| $spinners | $quantum ms | $(ms "$turn") ms | $(ms "$goal") ms |"
        fi
        for sched in $schedulers; do
            read -r _ _ _ _ _ _ _ median p99 worst _ _ < <(row $sched $quantum $spinners)
            read -r _ _ _ _ _ _ _ _ _ baseline _ _ < <(row $sched $quantum 0)
            met=$(awk -v n="$spinners" -v w="$worst" -v g="$goal" -v b="$baseline" \
                'BEGIN { print n == 0 ? "baseline" : w <= g + b ? "yes" : "no" }')
            line="$line $(ms "$median") | $(ms "$p99") | $(ms "$worst") | $met |"
        done
        echo "$line"
    done
done
echo
# Runs where a key went unechoed, unread or untimed, or the run did not end as asked.
odd=$(awk -v keys="$keys" '$4 != keys + 1 || $5 != keys || $6 != 1 || $7 != 0 || ($12 != 143 && !($3 == 0 && $12 == 0)) {
        printf "%s, quantum %s ms, %s spinners: %s bytes handed, %s echoed, %s not echoed, %s unread, exit status %s\n",
               $1, $2, $3, $4, $5, $6, $7, $12 }' "$out/results.txt")
if [ -n "$odd" ]; then
    echo "Runs that did not go as planned ($keys keys echoed, the Ctrl-D alone not echoed, nothing"
    echo "left unread, cocoon ended by SIGTERM, status 143, or with no spinner by the guest, 0):"
    echo
    echo "$odd" | sed 's/^/    /'
else
    echo "In every run each of the $keys keys was echoed and timed, only the closing Ctrl-D went"
    echo "unechoed (rawecho ends on it), and no byte was left unread."
fi
echo
# The plot: worst case against quantum, a colour per spinner count, a dash per scheduler
# and the goal.
for spinners in $spinner_counts; do
    for quantum in $quanta; do
        for sched in $schedulers; do
            row $sched $quantum $spinners | awk -v s="$sched" '{ printf "%s spinners, %s %s %s\n", $3, s, $2, $10 }'
        done
        [ "$spinners" = 0 ] || row rr $quantum $spinners | awk '{ printf "%s spinners, goal %s %s\n", $3, $2, $3 * $13 }'
    done
done > "$out/plot.txt"
"$build/tests/bench/svg_plot" --title "Echo latency under load: worst case of $keys keys" \
    --x-label "quantum, ms" --y-label "worst echo latency, ms" -o docs/images/echo-latency.svg "$out/plot.txt"
echo "![worst echo latency against the quantum](images/echo-latency.svg)"
