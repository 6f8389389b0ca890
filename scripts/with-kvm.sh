#!/usr/bin/env bash
# with-kvm.sh: run a command where /dev/kvm works, in the current directory.
#
# On a host with a usable /dev/kvm the command simply runs. Otherwise it runs inside a
# nested VM: QEMU in software emulation (TCG) presenting an AMD CPU with SVM and nested
# paging, Debian's own kernel, a busybox initramfs that loads KVM, the host's root file
# system shared read-only over virtio-9p, and the current directory (plus any --rw DIR)
# shared read-write at the same path, so the command's outputs land on the host.
# See docs/build.md.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/with-kvm.sh [options] -- COMMAND [ARGS...]

Runs COMMAND in the current directory where /dev/kvm works; its output streams
through and its exit status becomes this script's.

options:
  --timeout S   stop everything after S seconds (default 3000); exit status 124
  --stall S     stop when the nested kernel has not run for S seconds (default
                300): it stopped making progress (see docs/build.md); status 124
  --mem MIB     memory of the nested VM in MiB (default 4096)
  --smp N       vCPUs of the nested VM (default 1: the fastest boot under TCG)
  --rw DIR      also share DIR read-write (repeatable; the current dir always is)
  --nested      use the nested VM even if this host has /dev/kvm
  -h, --help    this text

exit status: COMMAND's, or 124 on timeout, 125 when the nested VM itself failed
(kernel panic, a KVM module that would not load, QEMU missing).
EOF
}

die() { echo "with-kvm: $*" >&2; exit 125; }

timeout_s=3000 stall_s=300 mem_mib=4096 smp=1 force_nested=${COCOON_FORCE_NESTED:-0}
rw_dirs=("$PWD")
while [ $# -gt 0 ]; do
    case "$1" in
        --timeout) timeout_s=$2; shift 2 ;;
        --stall) stall_s=$2; shift 2 ;;
        --mem) mem_mib=$2; shift 2 ;;
        --smp) smp=$2; shift 2 ;;
        --rw) rw_dirs+=("$(realpath "$2")"); shift 2 ;;
        --nested) force_nested=1; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; break ;;
        *) usage >&2; exit 2 ;;
    esac
done
[ $# -gt 0 ] || { usage >&2; exit 2; }

# A usable /dev/kvm opens read-write and is backed by the CPU's own virtualization
# (svm or vmx in /proc/cpuinfo). A software /dev/kvm such as kvm_pvm emulates guest
# instructions and gets some of them wrong (SYSCALL keeps the user's CS), so it is
# passed over for the nested VM, which runs the real KVM on an emulated SVM.
kvm_usable() {
    [ -c /dev/kvm ] && { exec 3<>/dev/kvm; } 2>/dev/null && exec 3>&- &&
        grep -qwE 'svm|vmx' /proc/cpuinfo
}

if [ "$force_nested" != 1 ] && kvm_usable; then
    exec timeout --foreground "$timeout_s" "$@"
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/nested/initramfs.sh
. "$here/nested/initramfs.sh"

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found: run scripts/setup.sh"
kver=$(nested_kernel_version) || die "no Debian kernel with modules in /boot: run scripts/setup.sh (linux-image-amd64)"
initramfs=$(nested_initramfs "$kver" "$here/nested/init.sh") || die "could not build the initramfs"

# The control folder carries the command in and its exit status out.
ctl=$(mktemp -d /tmp/with-kvm.XXXXXX)
trap 'rm -rf "$ctl"' EXIT
{
    echo '#!/bin/sh'
    printf 'cd %q || exit 125\n' "$PWD"
    echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    echo "export HOME=/root TMPDIR=/tmp LANG=C.UTF-8 TERM=dumb COCOON_NESTED=1"
    # Pass through what tests and CI look at; the rest of the host's environment stays out.
    while IFS='=' read -r name _; do
        case "$name" in
            CI|GTEST_*|CTEST_*|COCOON_*) printf 'export %s=%q\n' "$name" "${!name}" ;;
        esac
    done < <(env)
    printf 'exec'
    printf ' %q' "$@"
    printf '\n'
} > "$ctl/cmd.sh"
shares=()
i=0
for dir in "${rw_dirs[@]}"; do
    echo "rw$i $dir" >> "$ctl/mounts"
    shares+=(-virtfs "local,path=$dir,mount_tag=rw$i,security_model=none,multidevs=remap")
    i=$((i + 1))
done

# EPYC with SVM and nested paging, less the features TCG cannot emulate (each would warn).
nested_cpu=EPYC,+svm,+npt,-rdseed,-sha-ni,-fxsr-opt,-misalignsse,-3dnowprefetch,-osvw,-topoext,-nrip-save,-xsavec

# What the nested machine was doing when its heartbeat went quiet, for the stall's
# cause: which of QEMU's threads used the host CPU and where each one is (gdb), and,
# through the monitor, the nested CPU's registers and its local APIC. The nested
# kernel boots with nokaslr, so a RIP in it can be named afterwards from its
# /proc/kallsyms (docs/build.md). Each step is bounded: a vCPU thread stuck inside
# QEMU cannot answer the monitor's register request.
stall_report() {
    local pid=$1 monitor=$2 t
    echo "with-kvm: stall report (QEMU pid $pid)"
    thread_ticks() {
        for t in /proc/"$pid"/task/*; do
            awk -v tid="${t##*/}" '{ sub(/^[^)]*\) /, ""); print tid, $12 + $13 }' "$t/stat" 2>/dev/null
        done | sort
    }
    thread_ticks > "$ctl/ticks.0"; sleep 5; thread_ticks > "$ctl/ticks.1"
    echo "-- QEMU threads: CPU ticks used in 5 s (name)"
    join "$ctl/ticks.0" "$ctl/ticks.1" | while read -r t a b; do
        echo "   $t: $((b - a)) ($(cat "/proc/$pid/task/$t/comm" 2>/dev/null))"
    done
    echo "-- QEMU threads' stacks"
    timeout 60 gdb -p "$pid" -batch -nx -ex 'set pagination off' -ex 'thread apply all bt 12' 2>&1 |
        grep -E '^(Thread|#)' | head -n 150
    for cmd in "info registers" "info lapic" "info pic"; do
        echo "-- monitor: $cmd"
        printf '%s\n' "$cmd" | timeout 10 socat -t 5 - "UNIX-CONNECT:$monitor" 2>&1 |
            tr -d '\r' | grep -vE '^(QEMU .* monitor|\(qemu\)|YMM|FPR)'
    done
}

# The nested kernel touches $ctl/heartbeat every 2 s from its own user space: a
# heartbeat quiet for stall_s seconds means the nested kernel no longer runs at all
# (docs/build.md), which a test that is merely slow and silent never causes.
watch_heartbeat() {
    local seen="" stamp now last_beat
    last_beat=$(date +%s)
    while sleep 2; do
        now=$(date +%s)
        stamp=$(stat -c %y "$ctl/heartbeat" 2>/dev/null || true)
        if [ "$stamp" != "$seen" ]; then
            seen=$stamp last_beat=$now
        elif [ $((now - last_beat)) -ge "$stall_s" ] && [ -s "$ctl/qemu.pid" ]; then
            touch "$ctl/stalled"
            stall_report "$(cat "$ctl/qemu.pid")" "$monitor" >&2
            kill "$(cat "$ctl/qemu.pid")" 2>/dev/null
            return
        fi
    done
}
monitor=${COCOON_NESTED_MONITOR:-$ctl/monitor.sock}
watch_heartbeat &
watcher=$!
trap 'kill $watcher 2>/dev/null; rm -rf "$ctl"' EXIT

# Guest console: the nested kernel's messages (quiet unless it panics) and the command's
# output, streamed through and kept to tell a panic from a crash afterwards.
set +e
timeout --foreground "$timeout_s" qemu-system-x86_64 \
    -accel tcg -cpu "$nested_cpu" -smp "$smp" -m "$mem_mib" -pidfile "$ctl/qemu.pid" \
    -nodefaults -no-user-config -nographic -no-reboot -fw_cfg name=etc/sercon-port,string=0 \
    -chardev stdio,id=console,signal=on -serial chardev:console \
    -monitor "unix:$monitor,server=on,wait=off" \
    -kernel "/boot/vmlinuz-$kver" -initrd "$initramfs" \
    -append "console=ttyS0 quiet loglevel=1 panic=-1 nokaslr rdinit=/init" \
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
    -virtfs "local,path=$ctl,mount_tag=ctl,security_model=none" \
    "${shares[@]}" < /dev/null 2> >(grep -v 'fw_cfg item names should be prefixed' >&2) |
    tee "$ctl/console.log" |
    sed -u '/\] reboot: Power down/d'
qemu_status=${PIPESTATUS[0]}
set -e

if [ -e "$ctl/stalled" ]; then
    echo "with-kvm: the nested kernel did not run for ${stall_s}s and was stopped (a stall, not a test result)" >&2
    exit 124
fi
if [ "$qemu_status" = 124 ]; then
    echo "with-kvm: timed out after ${timeout_s}s; the nested VM and the command were stopped" >&2
    exit 124
fi
if [ -s "$ctl/error" ]; then
    die "$(cat "$ctl/error")"
fi
if [ -s "$ctl/status" ]; then
    exit "$(cat "$ctl/status")"
fi
if grep -q 'Kernel panic' "$ctl/console.log"; then
    die "the nested kernel panicked (see its messages above)"
fi
die "the nested VM stopped without reporting the command's status (QEMU exit status $qemu_status)"
