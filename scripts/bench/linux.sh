#!/usr/bin/env bash
# linux.sh: Debian's Linux (scripts/linux-guest.sh) on cocoon and on QEMU -M microvm under
# the same KVM, in one boot of the nested runner (or on this host's KVM): the time from
# the VMM's exec to the initramfs's first line, each VMM's exits during that boot by
# reason, and disk throughput as Linux's dd sees it (scripts/linux/scenarios/diskbench.sh:
# 4 KiB and 64 KiB, one request in flight and four) with the exits each request cost.
# Prints a markdown section; raw outputs stay in build/bench/linux/. LINUX_REPS=N sets the
# timed boots per VMM (default 3, after one to warm the page cache).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. scripts/bench/common.sh
bench_build
build=build/release
scripts/linux-guest.sh "$build/linux" > /dev/null
reps=${LINUX_REPS:-3}

out=build/bench/linux
rm -rf "$out"
mkdir -p "$out/console"
for vmm in cocoon qemu; do truncate -s 64M "$out/disk-$vmm.img"; done

# One script for the runner. cocoon's exits come from its JSON log. QEMU's from KVM's
# debugfs, which holds a VM's counters only while it lives: its sampled runs pause at the
# guest's reboot (-action), are read, then stopped.
cat > "$out/run.sh" <<EOF
out=$out
timer=$build/tests/bench/startup_timer
cocoon="$build/vmm/cocoon run --kernel $build/linux/vmlinux --initrd $build/linux/init.cpio --mem 256M --timeout 900"
qemu="qemu-system-x86_64 -M microvm -accel kvm -cpu host -m 256M -nodefaults -no-user-config -nographic \
-serial stdio -kernel $build/linux/vmlinux -initrd $build/linux/init.cpio -global virtio-mmio.force-legacy=false"
qemu_disk="-drive id=d0,if=none,format=raw,file=$out/disk-qemu.img -device virtio-blk-device,drive=d0"
reps=$reps
EOF
cat >> "$out/run.sh" <<'EOF'
mount -t debugfs debugfs /sys/kernel/debug 2> /dev/null
cocoon_line="console=ttyS0 panic=-1 reboot=k"
qemu_line="console=ttyS0 panic=-1 reboot=t"  # a triple fault: microvm has no i8042

# qemu_sampled NAME APPEND [ARGS...]: one run whose KVM counters land in NAME.kvm.
qemu_sampled() {
    name=$1 append=$2
    shift 2
    $qemu "$@" -append "$append" -action reboot=shutdown,shutdown=pause < /dev/null \
        > "$out/console/$name.out" 2> "$out/console/$name.err" &
    pid=$!
    for i in $(seq 1800); do
        grep -q "reboot: Restarting system" "$out/console/$name.out" && break
        sleep 0.5
    done
    sleep 2  # the reset, then the pause
    for f in /sys/kernel/debug/kvm/$pid-*/*; do
        [ -f "$f" ] && echo "${f##*/} $(cat "$f")"
    done > "$out/$name.kvm"
    kill $pid
    wait $pid
}

for rep in $(seq 0 $reps); do
    $timer --console "$out/console/boot-cocoon-$rep.out" -- $cocoon --cmdline "$cocoon_line cocoon.run=true" \
        --log-json "$out/boot-cocoon-$rep.json" < /dev/null > "$out/boot-cocoon-$rep.time" 2> /dev/null
    $timer --console "$out/console/boot-qemu-$rep.out" -- $qemu -no-reboot -append "$qemu_line cocoon.run=true" \
        < /dev/null > "$out/boot-qemu-$rep.time" 2> /dev/null
done
qemu_sampled boot-qemu "$qemu_line cocoon.run=true"
$cocoon --disk $out/disk-cocoon.img --cmdline "$cocoon_line cocoon.scenario=diskbench" \
    --log-json "$out/disk-cocoon.json" < /dev/null > "$out/console/disk-cocoon.out" 2> "$out/console/disk-cocoon.err"
qemu_sampled disk-qemu "$qemu_line cocoon.scenario=diskbench" $qemu_disk
true
EOF
scripts/with-kvm.sh --timeout 3000 -- sh "$out/run.sh" >&2

# The figures.
first_line_ms() {  # CONSOLE: the ms at which the initramfs's first line arrived
    awk -F' [|] ' '/linux-guest: userland reached/ { printf "%.0f", $1; exit }' "$1"
}
boot_stats() {  # VMM: "median min max" of the timed boots (rep 0 warms the cache)
    for rep in $(seq 1 "$reps"); do first_line_ms "$out/console/boot-$1-$rep.out"; echo; done | sort -n |
        awk 'NF { t[++n] = $1 } END { if (n) printf "%d %d %d\n", t[int((n + 1) / 2)], t[1], t[n] }'
}
cocoon_kvm() {  # JSON COUNTER: KVM's count in cocoon's log
    jq -s -r --arg c "$2" 'map(select(.summary == "kvm")) | first | .counters[$c] // 0' "$1"
}
cocoon_to_user() {  # JSON: exits that reached cocoon, all reasons
    jq -s -r 'map(select(.summary == "exits")) | first | .by_reason | [.[]] | add // 0' "$1"
}
qemu_kvm() {  # NAME COUNTER
    awk -v c="$2" '$1 == c { print $2; found = 1 } END { if (!found) print 0 }' "$out/$1.kvm"
}
counters=(exits io_exits mmio_exits halt_exits irq_exits irq_window_exits pf_fixed)

read -r cm cl ch < <(boot_stats cocoon)
read -r qm ql qh < <(boot_stats qemu)
echo "## Linux: scripts/bench/linux.sh"
echo
kernel=$(grep -ao -m1 'Linux version [^ ]*' "$build/linux/vmlinux" | cut -d' ' -f3)
echo "Measured on $(bench_where)."
echo "Debian's Linux $kernel and the initramfs of \`scripts/linux-guest.sh\` on each VMM, 256 MiB,"
echo "one vCPU: cocoon with \`reboot=k\`, QEMU as \`qemu-system-x86_64 -M microvm -accel kvm -cpu host\`"
echo "(its own ACPI tables) with \`reboot=t\`. The same KVM, one boot of the runner."
echo
echo "### Boot: exec to the initramfs's first line"
echo
echo "Milliseconds from the VMM's exec to \`linux-guest: userland reached\` on the console, median"
echo "(min–max) of $reps after one to warm the page cache:"
echo
echo "| VMM | ms | cocoon / QEMU |"
echo "|---|---:|---:|"
echo "| cocoon | $cm ($cl–$ch) | $(awk -v c="$cm" -v q="$qm" 'BEGIN { if (q > 0) printf "%.2f", c / q }') |"
echo "| QEMU microvm | $qm ($ql–$qh) | |"
echo
echo "The goal is cocoon at 0.8 of QEMU's time or less. Exits during a whole boot (to the reboot),"
echo "as KVM counts them (\`KVM_GET_STATS_FD\` for cocoon, debugfs for QEMU: the same counters):"
echo
echo "| KVM counter | cocoon | QEMU microvm |"
echo "|---|---:|---:|"
for c in "${counters[@]}"; do
    echo "| \`$c\` | $(cocoon_kvm "$out/boot-cocoon-1.json" "$c") | $(qemu_kvm boot-qemu "$c") |"
done
echo "| reached the VMM (cocoon's own count) | $(cocoon_to_user "$out/boot-cocoon-1.json") | |"
echo
echo "### Disk: dd with O_DIRECT"
echo
echo "MiB/s as the guest's clock saw each case: one job is one request in flight; four jobs at once"
echo "on separate quarters of the bytes keep up to four. *Exits per request* is the run's KVM exits"
echo "less those of a boot alone, over the requests Linux completed in the whole run."
echo
echo "| op | block | jobs | cocoon MiB/s | QEMU MiB/s | cocoon / QEMU |"
echo "|---|---:|---:|---:|---:|---:|"
pattern='^linux-guest: diskbench ([a-z]+) ([0-9]+) ([0-9]+): ([0-9]+) bytes in ([0-9]+) us, ([0-9]+) requests'
cases() {  # CONSOLE: "OP BLOCK JOBS MIB_PER_S REQUESTS" lines
    tr -d '\r' < "$1" | sed -En "s/$pattern/\1 \2 \3 \4 \5 \6/p" |
        awk '{ printf "%s %s %s %.2f %d\n", $1, $2, $3, $4 / 1048576 / ($5 / 1e6 + 1e-9), $6 }'
}
cases "$out/console/disk-cocoon.out" > "$out/disk-cocoon.txt"
cases "$out/console/disk-qemu.out" > "$out/disk-qemu.txt"
awk 'FNR == NR { q[$1 " " $2 " " $3] = $4; next }
    { k = $1 " " $2 " " $3; r = (k in q && q[k] > 0) ? sprintf("%.2f", $4 / q[k]) : "–"
      printf "| %s | %s | %s | %.2f | %s | %s |\n", $1, $2, $3, $4, (k in q) ? q[k] : "–", r }' \
    "$out/disk-qemu.txt" "$out/disk-cocoon.txt"
requests_c=$(awk '{ n += $5 } END { print n + 0 }' "$out/disk-cocoon.txt")
requests_q=$(awk '{ n += $5 } END { print n + 0 }' "$out/disk-qemu.txt")
per() { awk -v d="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.2f", d / n; else printf "–" }'; }
echo
echo "| exits per request | cocoon | QEMU microvm |"
echo "|---|---:|---:|"
for c in exits io_exits mmio_exits halt_exits irq_exits; do
    dc=$(($(cocoon_kvm "$out/disk-cocoon.json" "$c") - $(cocoon_kvm "$out/boot-cocoon-1.json" "$c")))
    dq=$(($(qemu_kvm disk-qemu "$c") - $(qemu_kvm boot-qemu "$c")))
    echo "| \`$c\` | $(per "$dc" "$requests_c") | $(per "$dq" "$requests_q") |"
done
dc=$(($(cocoon_to_user "$out/disk-cocoon.json") - $(cocoon_to_user "$out/boot-cocoon-1.json")))
echo "| reached the VMM (cocoon's own count) | $(per "$dc" "$requests_c") | |"
echo
echo "cocoon's account of the disk run:"
echo
echo '```'
grep -E "exits to user space|KVM's own count|disk 0: [0-9]+ reads" "$out/console/disk-cocoon.err" | sed 's/^\[cocoon info\] //'
echo '```'
