#!/usr/bin/env bash
# endtoend.sh: the demo and the swap workload, whole runs, wall time from the VMM's start
# to its exit: cocoon against `qemu-system-x86_64 -M microvm -accel kvm` on the same
# kernel, programs and disks, under the same KVM, one boot of the runner, runs
# interleaved. Prints a markdown section; raw times stay in build/bench/endtoend/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. scripts/bench/common.sh
bench_build

out=build/bench/endtoend
mkdir -p "$out"
rm -f "$out"/*
guest=build/release/guest
repeats=${BENCH_REPEATS:-5}
# QEMU locks its images: each VMM gets its own copies.
cp "$guest/programs.tar" "$out/programs-qemu.tar"
qemu="timeout 900 $microvm_qemu \
-kernel $guest/cocoon-kernel.elf \
-drive id=d0,if=none,format=raw,readonly=on,file=$out/programs-qemu.tar -device virtio-blk-device,drive=d0"
cocoon="timeout 900 build/release/vmm/cocoon run --disk $guest/programs.tar,ro"
swap_cmdline="init=swapper,swapper,ticker swap=1"

# One timed run: prints "WORKLOAD VMM MS EXIT-STATUS".
cat > "$out/timed.sh" <<'EOF_TIMED'
workload=$1 vmm=$2; shift 2
start=$(date +%s%N)
"$@" < /dev/null > /dev/null 2>&1
status=$?
echo "$workload $vmm $((($(date +%s%N) - start) / 1000000)) $status"
EOF_TIMED
{
    echo "set -u"
    for i in $(seq "$repeats"); do
        echo "sh $out/timed.sh demo cocoon $cocoon"
        echo "sh $out/timed.sh demo qemu $qemu -m 256M -append '$microvm_disks'"
        echo "truncate -s 0 $out/swap-c.img $out/swap-q.img; truncate -s 64M $out/swap-c.img $out/swap-q.img"
        echo "sh $out/timed.sh swap cocoon $cocoon --mem 16M --disk $out/swap-c.img --cmdline '$swap_cmdline'"
        echo "sh $out/timed.sh swap qemu $qemu -m 16M" \
            "-drive id=d1,if=none,format=raw,file=$out/swap-q.img -device virtio-blk-device,drive=d1" \
            "-append '$swap_cmdline $microvm_disks'"
    done
} > "$out/run.sh"
scripts/with-kvm.sh --timeout 3000 -- sh "$out/run.sh" > "$out/times.txt"

stats() {  # stats WORKLOAD VMM: "median min max" of the runs' milliseconds
    awk -v w="$1" -v v="$2" '$1 == w && $2 == v { print $3 }' "$out/times.txt" | sort -n |
        awk '{ t[NR] = $1 } END { if (NR) printf "%d %d %d\n", t[int((NR + 1) / 2)], t[1], t[NR] }'
}
echo "## The demo and the swap workload end to end: scripts/bench/endtoend.sh"
echo
echo "Measured on $(bench_where). Wall time of whole runs, from the VMM's start to its exit,"
echo "median (min–max) of $repeats, the two VMMs interleaved: the same kernel and programs"
echo "(from a virtio disk), the demo with 256 MiB, the swap workload (\`init=swapper,swapper,ticker swap=1\`)"
echo "with 16 MiB and a 64 MiB swap disk."
echo
echo "| workload | cocoon, ms | QEMU microvm, ms | cocoon / QEMU |"
echo "|---|---:|---:|---:|"
for w in demo swap; do
    read -r cm cl ch < <(stats "$w" cocoon)
    read -r qm ql qh < <(stats "$w" qemu)
    awk -v w="$w" -v cm="$cm" -v cl="$cl" -v ch="$ch" -v qm="$qm" -v ql="$ql" -v qh="$qh" \
        'BEGIN { printf "| %s | %d (%d–%d) | %d (%d–%d) | %.2f |\n", w, cm, cl, ch, qm, ql, qh, cm / qm }'
done
echo
# The demo ends with status 1 (some of its programs are killed on purpose), the swap
# workload with 0; QEMU's isa-debug-exit makes a guest's value v into 2v+1.
bad=$(awk '{ want = $1 == "demo" ? 1 : 0; if ($2 == "qemu") want = 2 * want + 1 } $4 != want' "$out/times.txt")
if [ -n "$bad" ]; then
    echo "Runs that did not end as the workload does:"
    echo '```'; echo "$bad"; echo '```'
fi
