# Shared by the benchmark scripts (sourced): the build they measure, and which KVM they
# ran on, said in one sentence for the tables.
# The release build with the host-side benchmark programs (tests/bench, COCOON_BENCH).
bench_build() {
    scripts/setup.sh bench
    mkdir -p build/bench
    { cmake --preset release -DCOCOON_BENCH=ON && cmake --build --preset release -j "$(nproc)"; } \
        > build/bench/build.log 2>&1 || { tail -20 build/bench/build.log >&2; exit 1; }
}

# The build a section measures: build/release through bench_build, or the already
# configured COCOON_BUILD_DIR=build/NAME with the TARGETs the section runs brought up to date.
bench_use_build() {  # TARGET...
    if [ -z "${COCOON_BUILD_DIR:-}" ]; then
        bench_build
        return
    fi
    mkdir -p build/bench
    cmake --build "$COCOON_BUILD_DIR" -j "$(nproc)" --target "$@" > build/bench/targets.log 2>&1 ||
        { tail -20 build/bench/targets.log >&2; exit 1; }
}

# The host's load average over the last minute, around a section's runs: under the nested
# runner other work on the machine's cores slows the guest and adds noise.
bench_load() {
    cut -d' ' -f1 /proc/loadavg
}

bench_where() {
    if grep -qwE 'svm|vmx' /proc/cpuinfo && [ -w /dev/kvm ] && [ -z "${COCOON_FORCE_NESTED:-}" ]; then
        echo "this host's KVM"
    else
        echo "the nested runner's KVM (QEMU TCG emulating SVM, scripts/with-kvm.sh): absolute figures are ~100x below real hardware"
    fi
}

# QEMU as the peer: microvm under the same KVM, booting cocoon's kernel the way cocoon
# does (PVH, a 16550 console, exit through port 0xf4, modern virtio-mmio).
microvm_qemu="qemu-system-x86_64 -M microvm,ioapic2=off -accel kvm -cpu host -nodefaults -no-user-config \
-nographic -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 -global virtio-mmio.force-legacy=false"
# The kernel's keys for microvm's first two disks: microvm puts the first -device on its
# last transport (ioapic2=off: eight, on pins 16-23).
microvm_disks="virtio_mmio.device=512@0xfeb00e00:23 virtio_mmio.device=512@0xfeb00c00:22"
