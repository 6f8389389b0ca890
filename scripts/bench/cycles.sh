#!/usr/bin/env bash
# bench/cycles.sh: the kernel's hot paths timed from inside the guest, in TSC cycles
# (guest/programs/cyclebench.cpp): a null system call, a demand-zero fault, a switch
# between yielding processes (2, and 1 to a full process table), the switch again with
# `pcid=off`, and a page brought back from swap (--mem 16M and a swap disk). Under cocoon
# and under QEMU -M microvm with KVM, in one boot of the nested runner unless this host
# has a KVM. Prints a markdown section; raw outputs stay in build/bench/cycles/.
#
# CYCLES_BUILD=build/DIR runs that build directory as it stands instead of building the
# release one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=${CYCLES_BUILD:-build/release}
. scripts/bench/common.sh
[ -n "${CYCLES_BUILD:-}" ] || bench_build

out=build/bench/cycles
mkdir -p "$out"
guest=$build/guest
rm -f "$out"/*.img "$out"/*.out "$out"/*.err
truncate -s 64M "$out/swap-cocoon.img" "$out/swap-qemu.img"
# QEMU locks its images: it gets its own copy of the program archive.
cp "$guest/programs.tar" "$out/programs-qemu.tar"

cocoon="$build/vmm/cocoon run --kernel $guest/cocoon-kernel.elf --timeout 1200"
qemu="timeout 1200 $microvm_qemu -kernel $guest/cocoon-kernel.elf"
# Three runs on each VMM: PCID as the CPU offers it, pcid=off, and swap. The nested
# runner takes one command line: they go in a script of their own.
cat > "$out/run.sh" <<SCRIPT
$cocoon --initrd $guest/programs.tar --cmdline init=cyclebench > $out/cocoon.out 2> $out/cocoon.err
$cocoon --initrd $guest/programs.tar --cmdline 'init=cyclebench pcid=off' > $out/cocoon-pcid-off.out 2> $out/cocoon-pcid-off.err
$cocoon --mem 16M --disk $guest/programs.tar,ro --disk $out/swap-cocoon.img --cmdline 'init=cyclebench:swap swap=1' \
    > $out/cocoon-swap.out 2> $out/cocoon-swap.err
$qemu -m 256M -initrd $guest/programs.tar -append init=cyclebench < /dev/null > $out/qemu.out 2> $out/qemu.err
$qemu -m 256M -initrd $guest/programs.tar -append 'init=cyclebench pcid=off' < /dev/null \
    > $out/qemu-pcid-off.out 2> $out/qemu-pcid-off.err
$qemu -m 16M -drive id=d0,if=none,format=raw,readonly=on,file=$out/programs-qemu.tar -device virtio-blk-device,drive=d0 \
    -drive id=d1,if=none,format=raw,file=$out/swap-qemu.img -device virtio-blk-device,drive=d1 \
    -append 'init=cyclebench:swap swap=1 $microvm_disks' < /dev/null > $out/qemu-swap.out 2> $out/qemu-swap.err
true
SCRIPT
scripts/with-kvm.sh --timeout 3000 -- sh "$out/run.sh" > "$out/with-kvm.log" 2>&1 || { tail -20 "$out/with-kvm.log"; exit 1; }

# "median min–max" of one figure in one run's output, or "- -".
figure() {
    awk -v f="$2" '$1 == "cyclebench:" && index($0, "cyclebench: " f " n=") == 1 {
                       for (i = 2; i <= NF; ++i) { split($i, kv, "="); v[kv[1]] = kv[2] }
                       m = v["median"]; r = v["min"] "–" v["max"] }
                   END { print (m == "" ? "- -" : m " " r) }' "$out/$1.out"
}
row() {  # label, figure, run suffix
    read -r cm cr <<< "$(figure "cocoon$3" "$2")"
    read -r qm qr <<< "$(figure "qemu$3" "$2")"
    echo "| $1 | $cm | $cr | $qm | $qr |"
}
kernel_says() { grep -o "PCID [a-z]*, trace [a-z]*" "$out/$1.out" | head -1 || echo "nothing (no kernel banner)"; }

where=$(bench_where)
echo '## In-guest costs, in TSC cycles: `scripts/bench/cycles.sh`'
echo
echo "Cycles per operation read with \`rdtsc\` by a guest program (\`guest/programs/cyclebench.cpp\`),"
echo "7 repeats of each loop, median and min–max, under cocoon and under QEMU \`-M microvm -accel kvm\`:"
echo "the same kernel, one after the other in one boot, on $where."
echo "The kernel said \"$(kernel_says cocoon)\" under cocoon, \"$(kernel_says qemu)\" under QEMU and"
echo "\"$(kernel_says cocoon-pcid-off)\" with \`pcid=off\`; a trace on means a record for every switch and fault."
if kernel_says cocoon | grep -q "PCID off"; then
    echo "This CPU offers no PCID: with and without \`pcid=off\` the switch takes the same path."
fi
echo
echo "| figure | cocoon median | min–max | QEMU median | min–max |"
echo "|---|---:|---:|---:|---:|"
row "null system call (getpid)" syscall-null ""
row "demand-zero page fault, per page" "fault procs=1" ""
row "switch: 2 processes yielding (round trip / 2)" "switch procs=2" ""
row "switch, \`pcid=off\`" "switch procs=2" "-pcid-off"
row "switch, 64 processes, \`pcid=off\`" "switch procs=64" "-pcid-off"
row "yield with no other process runnable" "switch procs=1" ""
row "swap-in, per page (--mem 16M)" swap-in "-swap"
echo
echo "| processes | cycles/switch cocoon | QEMU | cycles/fault cocoon | QEMU |"
echo "|---:|---:|---:|---:|---:|"
for n in 1 2 16 64; do
    echo "| $n | $(figure cocoon "switch procs=$n" | cut -d' ' -f1) | $(figure qemu "switch procs=$n" | cut -d' ' -f1) |" \
         "$(figure cocoon "fault procs=$n" | cut -d' ' -f1) | $(figure qemu "fault procs=$n" | cut -d' ' -f1) |"
done
echo
# The yield is a real switch when the other process runs between two of them: cocoon's
# summary counts how often the ping-pong partner (the first child) was scheduled.
pair=$(awk '$1 == "cyclebench:" && $2 == "switch" && $3 == "procs=2" { split($4, n, "="); print 7 * n[2] / 2 }' "$out/cocoon.out")
partner=$(awk '$3 == "cyclebench#2" && $5 ~ /^[0-9]+$/ { print $5 }' "$out/cocoon.err")
echo "In the 2-process switch, the second process was scheduled ${partner:-?} times while the first yielded"
echo "${pair:-?} times (plus 2 to start): each yield switched to the other process and back."
grep -h "exits to user space" "$out/cocoon.err" | sed 's/^\[cocoon info\] /cocoon, whole first run: /'
