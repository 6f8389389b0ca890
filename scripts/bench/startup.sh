#!/usr/bin/env bash
# startup.sh: how long a VMM takes from its exec to the guest's first console byte and to
# its own exit after the guest powers off, against the guest's RAM size, and what memory
# it holds beyond the guest's RAM: cocoon against qemu-system-x86_64 -M microvm -accel kvm,
# side by side in one boot of the nested runner (or on this host's KVM when it has one).
# Two guests: the tiny PVH test guest (hello.elf) and cocoon's kernel running `hello`
# with the program archive on a virtio disk for both VMMs.
# Prints a Markdown section; raw outputs stay in build/bench/startup/, the plot goes to
# docs/images/startup-vs-ram.svg. COCOON_BUILD_DIR=build/NAME measures that (already
# configured) build instead of building build/release; STARTUP_REPS=N sets the repeats
# at 256M (default 7), STARTUP_SWEEP_REPS=N those at the other RAM sizes (default 3),
# STARTUP_SIZES="64 256 ..." the RAM sizes in MiB (256 must be one).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=${COCOON_BUILD_DIR:-build/release}
reps=${STARTUP_REPS:-7}
sweep_reps=${STARTUP_SWEEP_REPS:-3}
. scripts/bench/common.sh
bench_use_build startup_timer svg_plot

out=build/bench/startup
rm -rf "$out"
mkdir -p "$out/console"
# QEMU locks its images: it gets its own copy of the program archive.
cp "$build/guest/programs.tar" "$out/programs-qemu.tar"
sizes=${STARTUP_SIZES:-64 256 1024 2048 3072}

# The nested runner takes one command line: every run goes in a script of its own. Each
# run appends `VMM GUEST MEM_MIB REP key=value...` to results.txt; rep 0 warms the page
# cache and is left out of the figures.
cat > "$out/run.sh" <<EOF
out=$out
timer=$build/tests/bench/startup_timer
cocoon=$build/vmm/cocoon
hello=$build/tests/kvm/guests/hello.elf
kernel=$build/guest/cocoon-kernel.elf
programs=$build/guest/programs.tar
qemu="$microvm_qemu"
qemu_append="${microvm_disks%% *}"
EOF
cat >> "$out/run.sh" <<'EOF'
qemu_disk="-drive id=d0,if=none,format=raw,readonly=on,file=$out/programs-qemu.tar -device virtio-blk-device,drive=d0"

# measure VMM GUEST MEM_MIB REP [--memory BYTES] -- COMMAND...
measure() {
    name="$1-$2-$3M-$4"
    label="$1 $2 $3 $4"
    shift 4
    line=$($timer --console "$out/console/$name.out" "$@" 2> "$out/console/$name.err" < /dev/null)
    echo "$label $line" >> "$out/results.txt"
}

uname -r > "$out/kernel.txt"
cat /sys/kernel/mm/transparent_hugepage/enabled > "$out/thp.txt"
kernel_run() {  # VMM MEM_MIB REP
    if [ $1 = cocoon ]; then
        measure cocoon kernel $2 $3 -- $cocoon run --disk $programs,ro --mem ${2}M --cmdline init=hello
    else
        measure qemu kernel $2 $3 -- $qemu -m ${2}M -kernel $kernel $qemu_disk -append "init=hello $qemu_append"
    fi
}
for rep in $(seq 0 REPS); do
    measure cocoon hello.elf 256 $rep -- $cocoon run --kernel $hello --mem 256M
    measure qemu hello.elf 256 $rep -- $qemu -m 256M -kernel $hello
    kernel_run cocoon 256 $rep
    kernel_run qemu 256 $rep
done
for rep in $(seq 1 SWEEP_REPS); do
    for mem in SIZES; do
        [ $mem = 256 ] && continue
        kernel_run cocoon $mem $rep
        kernel_run qemu $mem $rep
    done
done
# Memory: the demo (no init=), sampled while it runs.
bytes=$((256 << 20))
measure cocoon demo 256 1 --memory $bytes -- $cocoon run --mem 256M
measure qemu demo 256 1 --memory $bytes -- $qemu -m 256M -kernel $kernel $qemu_disk \
    -append "$qemu_append"
true
EOF
sed -i "s/SWEEP_REPS/$sweep_reps/; s/REPS/$reps/; s/SIZES/$sizes/" "$out/run.sh"
scripts/with-kvm.sh --mem 6144 --timeout 3000 -- sh "$out/run.sh"

where=$(bench_where)

# The figures: median and range per VMM, guest and RAM size, over reps 1..N.
summary() {  # KEY: first_byte_ms or exit_ms; prints `VMM GUEST MEM median min max` lines
    awk -v key="$1" '$4 > 0 {
            v = ""
            for (i = 5; i <= NF; ++i) if (split($i, kv, "=") == 2 && kv[1] == key) v = kv[2]
            if (v == "") next
            k = $1 " " $2 " " $3; if (!(k in n)) order[++keys] = k; values[k, ++n[k]] = v
        }
        END {
            for (j = 1; j <= keys; ++j) {
                k = order[j]; m = n[k]
                for (a = 1; a <= m; ++a) x[a] = values[k, a] + 0
                for (a = 2; a <= m; ++a) for (b = a; b > 1 && x[b - 1] > x[b]; --b) { t = x[b]; x[b] = x[b - 1]; x[b - 1] = t }
                median = m % 2 ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2
                printf "%s %.1f %.1f %.1f\n", k, median, x[1], x[m]
            }
        }' "$out/results.txt"
}
# The kernel's time between its first console line and the one counting its free memory:
# add_ram() putting every frame of RAM on the free list, which writes to each.
while read -r vmm guest mem rep rest; do
    frames=$([ "$guest" != kernel ] ||
        awk -F' [|] ' 'NR == 1 { t = $1 } /KiB of free memory/ { printf " frames_ms=%.3f", $1 - t }' \
            "$out/console/$vmm-$guest-${mem}M-$rep.out")
    echo "$vmm $guest $mem $rep $rest$frames"
done < "$out/results.txt" > "$out/results-frames.txt"
mv "$out/results-frames.txt" "$out/results.txt"
summary first_byte_ms > "$out/first_byte.txt"
summary frames_ms > "$out/frames.txt"
summary exit_ms > "$out/exit.txt"
failed=$(awk '$4 > 0 && $2 != "demo" && $0 !~ / status=(0|1) / { print $1 " " $2 " " $3 " rep " $4 ": " $0 }' "$out/results.txt")

cell() {  # FILE VMM GUEST MEM: "median (min–max)"
    awk -v k="$2 $3 $4" '$1 " " $2 " " $3 == k { printf "%.0f (%.0f–%.0f)", $4, $5, $6 }' "$1"
}
ratio() {  # FILE GUEST MEM: cocoon's median over QEMU's
    awk -v g="$2" -v m="$3" '$2 == g && $3 == m { t[$1] = $4 }
        END { if (t["qemu"] > 0) printf "%.2f", t["cocoon"] / t["qemu"] }' "$1"
}

echo "## Start-up and memory: scripts/bench/startup.sh"
echo
echo "Run on $where (Linux $(cat "$out/kernel.txt"))."
echo
echo "$reps runs of each at 256M after one to warm the page cache, $sweep_reps at the other RAM"
echo "sizes; times in ms from the exec of the VMM, median (min–max). The guests: the tiny"
echo "PVH test guest \`hello.elf\` (one line through the UART, then port 0xf4), and"
echo "cocoon's kernel running \`hello\` (\`init=hello\`) with the program archive on a virtio"
echo "disk under both VMMs. QEMU is \`qemu-system-x86_64 -M microvm -accel kvm\` with"
echo "\`-nodefaults\` and \`isa-debug-exit\`. cocoon writes the console a line at a time, so"
echo "its first byte is its first line."
echo
echo "| guest | VMM | first console byte | exit | cocoon / QEMU (exit) |"
echo "|---|---|---|---|---|"
for guest in hello.elf kernel; do
    for vmm in cocoon qemu; do
        r=$([ $vmm = cocoon ] && ratio "$out/exit.txt" $guest 256 || true)
        echo "| $guest, 256M | $vmm | $(cell "$out/first_byte.txt" $vmm $guest 256) | $(cell "$out/exit.txt" $vmm $guest 256) | $r |"
    done
done
echo
echo "The goal is cocoon at 1/5 of QEMU's time or less (a ratio of 0.20)."
echo
echo "### Start-up against guest RAM"
echo
echo "cocoon's kernel with \`init=hello\`; exit times, ms. cocoon's \`--mem\` stops at 3G: its"
echo "RAM is one block below the 32-bit MMIO hole at 3 GiB."
echo
echo "| RAM | cocoon | QEMU microvm | cocoon / QEMU | cocoon: frame list | QEMU: frame list |"
echo "|---|---|---|---|---|---|"
for mem in $sizes; do
    label=$([ "$mem" -ge 1024 ] && echo "$((mem / 1024))G" || echo "${mem}M")
    echo "| $label | $(cell "$out/exit.txt" cocoon kernel "$mem") | $(cell "$out/exit.txt" qemu kernel "$mem") |" \
        "$(ratio "$out/exit.txt" kernel "$mem") | $(cell "$out/frames.txt" cocoon kernel "$mem") |" \
        "$(cell "$out/frames.txt" qemu kernel "$mem") |"
done
echo
echo "Frame list: the time from the kernel's first console line to the line counting its free"
echo "memory, which is mostly \`add_ram()\` (guest/kernel/main.cpp) handing RAM to"
echo "\`FrameAllocator::add_range()\` (guest/kernel/mm/frame_allocator.cpp). It keeps frames"
echo "never used as ranges and touches none of them, so it takes the same time whatever the"
echo "RAM (it used to thread a free list through every frame: 35 s of a 3 GiB boot here)."
echo "Transparent huge pages in the runner: \`$(cat "$out/thp.txt")\`."
echo
plot_series() {  # FILE NAME: `VMM NAME BYTES MS` lines of cocoon's kernel
    awk -v name="$2" '$2 == "kernel" { printf "%s %s %.0f %s\n", ($1 == "qemu") ? "QEMU" : $1, name, $3 * 1048576, $4 }' "$1"
}
{ plot_series "$out/exit.txt" exit; plot_series "$out/first_byte.txt" "first byte"; } > "$out/plot.txt"
"$build/tests/bench/svg_plot" --title "Start-up against guest RAM: cocoon's kernel, init=hello" \
    --x-label "guest RAM" --y-label "ms from exec (median)" --x-bytes -o docs/images/startup-vs-ram.svg "$out/plot.txt"
echo "![start-up against guest RAM](images/startup-vs-ram.svg)"
echo
echo "### Memory beyond the guest's RAM"
echo
echo "Sampled from \`/proc/PID/smaps\` every 20 ms while each VMM runs the demo with 256 MiB"
echo "of RAM; the last sample before the exit. Guest RAM is the VMM's anonymous mapping of"
echo "the RAM's size; the rest is split into file-backed (the binary, shared libraries) and"
echo "anonymous (heaps, stacks, buffers). KiB."
echo
echo "| VMM | VmRSS | guest RAM Rss | of it in huge pages | guest RAM at | rest | rest: file-backed | rest: anonymous |"
echo "|---|---|---|---|---|---|---|---|"
awk '$2 == "demo" {
        for (i = 5; i <= NF; ++i) if (split($i, kv, "=") == 2) f[kv[1]] = kv[2]
        printf "| %s | %d | %d | %d | %s | %d | %d | %d |\n", ($1 == "qemu") ? "QEMU microvm" : $1, f["vmrss_kib"],
               f["guest_rss_kib"], f["guest_huge_kib"], f["guest_start"], f["vmrss_kib"] - f["guest_rss_kib"],
               f["other_file_kib"], f["other_anon_kib"]
    }' "$out/results.txt"
echo
echo "The goal for cocoon is a rest of 4 MiB (4096 KiB) or less."
# KVM maps guest RAM with 2 MiB pages only where guest and host addresses agree modulo 2 MiB.
for vmm in cocoon qemu; do
    start=$(awk -v v=$vmm '$1 == v && $2 == "demo" { sub(/.*guest_start=/, ""); sub(/ .*/, ""); print; exit }' "$out/results.txt")
    [ -n "$start" ] || continue
    echo
    if [ $((start % 0x200000)) -eq 0 ]; then
        echo "$vmm's guest RAM starts on a 2 MiB boundary: KVM can map it with 2 MiB pages."
    else
        echo "$vmm's guest RAM starts $(((start % 0x200000) >> 10)) KiB past a 2 MiB boundary: KVM maps it"
        echo "with 4 KiB pages only, one nested page fault per 4 KiB page the guest touches."
    fi
done
if [ -n "$failed" ]; then
    echo
    echo "Runs that did not end with the guest's exit (status other than cocoon's 0 or QEMU's 1):"
    echo
    echo "$failed" | sed 's/^/    /'
fi
