#!/usr/bin/env bash
# bench-disk.sh: disk throughput seen by a guest program (guest/programs/diskbench.cpp),
# under cocoon and under QEMU -M microvm with KVM, side by side: the same kernel, the
# same images, the same KVM (the nested runner's, unless this host has a real one).
# Prints a table, not a verdict; raw outputs stay in build/bench/disk/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/build.sh release > build/bench-build.log 2>&1 || { tail -20 build/bench-build.log; exit 1; }

out=build/bench/disk
mkdir -p "$out"
guest=build/release/guest
rm -f "$out"/*.img
truncate -s 16M "$out/cocoon.img" "$out/qemu.img"
# QEMU locks its images: each VMM gets its own copy of the program archive.
cp "$guest/programs.tar" "$out/programs-qemu.tar"

# microvm puts the first -device on its last transport (ioapic2=off: eight, pins 16-23).
microvm_disks="virtio_mmio.device=512@0xfeb00e00:23 virtio_mmio.device=512@0xfeb00c00:22"
# The nested runner takes one command line: the two runs go in a script of their own.
cat > "$out/run.sh" <<EOF
build/release/vmm/cocoon run --disk $guest/programs.tar,ro --disk $out/cocoon.img --cmdline init=diskbench \
    --timeout 900 > $out/cocoon.out 2> $out/cocoon.err
timeout 900 qemu-system-x86_64 -M microvm,ioapic2=off -accel kvm -cpu host -m 256M -nodefaults -no-user-config \
    -nographic -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 -global virtio-mmio.force-legacy=false \
    -kernel $guest/cocoon-kernel.elf \
    -drive id=d0,if=none,format=raw,readonly=on,file=$out/programs-qemu.tar -device virtio-blk-device,drive=d0 \
    -drive id=d1,if=none,format=raw,file=$out/qemu.img -device virtio-blk-device,drive=d1 \
    -append 'init=diskbench $microvm_disks' < /dev/null > $out/qemu.out 2> $out/qemu.err
true
EOF
scripts/with-kvm.sh --timeout 1800 -- sh "$out/run.sh"

where=$([ -n "$(grep -wE 'svm|vmx' /proc/cpuinfo)" ] && [ -w /dev/kvm ] && echo "this host's KVM" ||
    echo "the nested runner's KVM (QEMU TCG with SVM): absolute figures are ~100x below real hardware")
echo "disk throughput from a guest program, MiB/s ($where)"
printf '%-12s %9s %9s %10s %10s\n' workload block requests cocoon qemu
awk 'FNR == NR && /^diskbench: .* ms$/ { k = $2 "/" $3; order[++n] = k; requests[k] = $6; c[k] = $9; next }
     /^diskbench: .* ms$/ { q[$2 "/" $3] = $9 }
     END {
         for (i = 1; i <= n; ++i) {
             k = order[i]; split(k, w, "/"); mib = w[2] * requests[k] / 1048576
             printf "%-12s %9s %9s %10.2f %10s\n", w[1], w[2], requests[k], mib / (c[k] / 1000 + 1e-9),
                    (k in q) ? sprintf("%.2f", mib / (q[k] / 1000 + 1e-9)) : "-"
         }
     }' "$out/cocoon.out" "$out/qemu.out"
echo
grep -E "exits to user space|MMIO exits by address|disk 1:" "$out/cocoon.err" | sed 's/^\[cocoon info\] /cocoon: /'
echo "(MMIO exits are the driver setting up its devices: QueueNotify, +0x50, and InterruptACK,"
echo " +0x64, arrive by ioeventfd, so a request and its completion cost the vCPU no exit)"
