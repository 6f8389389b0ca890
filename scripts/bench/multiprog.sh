#!/usr/bin/env bash
# multiprog.sh: what multiprogramming buys — the `multiprog` demo (guest/programs/
# multiprog.cpp) runs an I/O-bound job and two CPU-bound ones one after another, then
# together, and prints each way's total time and CPU utilization from the kernel's idle
# time. Both of its I/O waits (a sleep standing for a disk, `multiprog disk`: reads of
# disk 0) under sched=rr and sched=waker, MULTIPROG_REPS runs of each (default 5), in one
# boot of the nested runner (or on this host's KVM). Prints a Markdown section; raw
# outputs stay in build/bench/multiprog/. COCOON_BUILD_DIR=build/NAME measures that
# (already configured) build instead of building build/release; MULTIPROG_REUSE=1 skips
# the runs and writes the section from the last one's outputs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=${COCOON_BUILD_DIR:-build/release}
reps=${MULTIPROG_REPS:-5}
. scripts/bench/common.sh
bench_use_build cocoon

out=build/bench/multiprog

measure_all() {
rm -rf "$out"
mkdir -p "$out"

# Each run's console goes to out/WAIT-SCHED-REP.out (WAIT: sleep or disk).
{
    echo "set -u"
    for rep in $(seq "$reps"); do
        for sched in rr waker; do
            for wait in sleep disk; do
                init=multiprog
                [ $wait = sleep ] || init=multiprog:disk
                echo "$build/vmm/cocoon run --disk $build/guest/programs.tar,ro --cmdline 'init=$init sched=$sched'" \
                    "< /dev/null > $out/$wait-$sched-$rep.out 2> $out/$wait-$sched-$rep.err" \
                    "|| echo '$wait $sched $rep: exit status '\$? >> $out/failed.txt"
            done
        done
    done
    echo "true"
} > "$out/run.sh"
# Two CPUs for the runner, as for echo.sh: cocoon's timer thread, which ends the sleeps
# and the quanta, must not wait for a turn behind its vCPU thread.
bench_load > "$out/load.txt"
scripts/with-kvm.sh --smp 2 --timeout 1800 -- sh "$out/run.sh"
bench_load >> "$out/load.txt"
}
[ -n "${MULTIPROG_REUSE:-}" ] || measure_all

# results.txt: `WAIT SCHED REP after_ms after_busy together_ms together_busy saved_percent`,
# the time saved within one run, whose jobs' work was measured out by the same calibration.
for f in "$out"/*-*-*.out; do
    name=$(basename "$f" .out)
    awk -v name="${name//-/ }" '
        /^multiprog: one after another:/ { after = $5 " " $9 }
        /^multiprog: all together:/ { together = $4 " " $8 }
        END {
            if (after == "" || together == "") exit
            gsub(/%/, "", after); gsub(/%/, "", together); split(after, a, " "); split(together, t, " ")
            print name, after, together, (a[1] > 0 ? int((a[1] - t[1]) * 100 / a[1]) : 0)
        }' "$f"
done > "$out/results.txt"

# stats WAIT SCHED COLUMN: "median min max" of that column over the runs.
stats() {
    awk -v w="$1" -v s="$2" -v c="$3" '$1 == w && $2 == s { print $c }' "$out/results.txt" | sort -n |
        awk '{ v[NR] = $1 } END { if (NR) printf "%d %d %d\n", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
range() {  # "median min max" [UNIT]: "median (min to max)", or the median alone when they agree
    read -r median low high <<< "$1"
    if [ "$low" = "$high" ]; then echo "$median${2:-}"; else echo "$median${2:-} ($low to $high${2:-})"; fi
}

echo "## Multiprogramming: scripts/bench/multiprog.sh"
echo
echo "Measured on $(bench_where), with two CPUs for the runner (\`--smp 2\`); the host's load"
[ ! -s "$out/load.txt" ] ||
    echo "average was $(head -1 "$out/load.txt") before the runs and $(tail -1 "$out/load.txt") after (on two cores shared with other work)."
echo
grep -m1 '^multiprog: an I/O' "$out/sleep-rr-1.out" | sed 's/^multiprog: /The demo: /; s/; scheduler.*/./'
echo "\`multiprog\` runs them one after another, then all three at once, and prints for each way"
echo "the time from the first start to the last end and how busy the CPU was meanwhile (the"
echo "kernel's idle time, \`system_info\`). The I/O-bound job waits either on a 10 ms sleep"
echo "standing for a disk, or with \`multiprog disk\` on 4 KiB reads of disk 0 (cocoon's program"
echo "archive, in the host's page cache: a quick device). Median (min to max) of $reps runs of"
echo "\`cocoon run --disk programs.tar,ro --cmdline 'init=multiprog[:disk] sched=S'\`, quantum 10 ms."
echo
echo "| I/O waits on | scheduler | one after another: ms | CPU busy | all together: ms | CPU busy | time saved, in each run |"
echo "|---|---|---:|---:|---:|---:|---:|"
for wait in sleep disk; do
    for sched in rr waker; do
        after=$(stats $wait $sched 4) together=$(stats $wait $sched 6)
        what=$([ $wait = sleep ] && echo "a 10 ms sleep" || echo "disk 0")
        echo "| $what | $sched | $(range "$after") | $(range "$(stats $wait $sched 5)" %) |" \
            "$(range "$together") | $(range "$(stats $wait $sched 7)" %) | $(range "$(stats $wait $sched 8)" %) |"
    done
done
if [ -s "$out/failed.txt" ]; then
    echo
    echo "Runs that failed:"
    echo
    sed 's/^/    /' "$out/failed.txt"
fi
