#!/usr/bin/env bash
# disk.sh: disk throughput seen by a guest program (guest/programs/diskbench.cpp), under
# cocoon and under QEMU -M microvm with KVM, side by side: the same kernel, the same
# images, the same KVM. Prints a markdown section and draws
# docs/images/disk-throughput.svg; raw outputs stay in build/bench/disk/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. scripts/bench/common.sh
bench_build

out=build/bench/disk
mkdir -p "$out"
guest=build/release/guest
rm -f "$out"/*.img
truncate -s 16M "$out/cocoon.img" "$out/qemu.img"
# QEMU locks its images: each VMM gets its own copy of the program archive.
cp "$guest/programs.tar" "$out/programs-qemu.tar"

# The nested runner takes one command line: the two runs go in a script of their own.
cat > "$out/run.sh" <<EOF_RUN
build/release/vmm/cocoon run --disk $guest/programs.tar,ro --disk $out/cocoon.img --cmdline init=diskbench \
    --timeout 900 > $out/cocoon.out 2> $out/cocoon.err
timeout 900 $microvm_qemu -m 256M \
    -kernel $guest/cocoon-kernel.elf \
    -drive id=d0,if=none,format=raw,readonly=on,file=$out/programs-qemu.tar -device virtio-blk-device,drive=d0 \
    -drive id=d1,if=none,format=raw,file=$out/qemu.img -device virtio-blk-device,drive=d1 \
    -append 'init=diskbench $microvm_disks' < /dev/null > $out/qemu.out 2> $out/qemu.err
true
EOF_RUN
scripts/with-kvm.sh --timeout 1800 -- sh "$out/run.sh" >&2

echo "## Disk: scripts/bench/disk.sh"
echo
echo "Measured on $(bench_where). A guest program (\`diskbench\`) reads and writes disk 1"
echo "with \`disk_read\`/\`disk_write\`, once under cocoon and once under QEMU microvm (virtio-mmio,"
echo "the same kernel and images). Throughput in MiB/s as the program saw it:"
echo
echo "| workload | block | requests | cocoon | QEMU | cocoon / QEMU |"
echo "|---|---:|---:|---:|---:|---:|"
awk -v plot="$out/plot.txt" '
    FNR == NR && /^diskbench: .* ms$/ { k = $2 "/" $3; order[++n] = k; requests[k] = $6; c[k] = $9; next }
    /^diskbench: .* ms$/ { q[$2 "/" $3] = $9 }
    END {
        for (i = 1; i <= n; ++i) {
            k = order[i]; split(k, w, "/"); mib = w[2] * requests[k] / 1048576
            cm = mib / (c[k] / 1000 + 1e-9); qm = (k in q) ? mib / (q[k] / 1000 + 1e-9) : 0
            printf "| %s | %s | %s | %.2f | %s | %s |\n", w[1], w[2], requests[k], cm,
                   qm ? sprintf("%.2f", qm) : "–", qm ? sprintf("%.2f", cm / qm) : "–"
            printf "cocoon %s %d %.2f\n", w[1], w[2], cm > plot
            if (qm) printf "QEMU %s %d %.2f\n", w[1], w[2], qm > plot
        }
    }' "$out/cocoon.out" "$out/qemu.out"
build/release/tests/bench/svg_plot --title "Disk throughput from a guest program" --x-label "block size" \
    --y-label "MiB/s" --x-bytes -o docs/images/disk-throughput.svg "$out/plot.txt"
echo
echo "![disk throughput against block size, both VMMs](images/disk-throughput.svg)"
echo
echo "cocoon's own account of the run. Its MMIO exits are the driver setting up its two devices"
echo "(\`MMIO exits by address\` in its log names each register); a request's notification and"
echo "its interrupt's acknowledgement arrive by ioeventfd, so they cost no exit to user space:"
echo
echo '```'
grep -E "exits to user space|KVM's own count|disk 1: [0-9]+ reads" "$out/cocoon.err" | sed 's/^\[cocoon info\] //'
echo '```'
