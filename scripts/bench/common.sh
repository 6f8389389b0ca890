# Shared by the benchmark scripts (sourced): the build they measure, and which KVM they
# ran on, said in one sentence for the tables.
# The release build with the host-side benchmark programs (tests/bench, COCOON_BENCH).
bench_build() {
    scripts/setup.sh bench
    mkdir -p build/bench
    { cmake --preset release -DCOCOON_BENCH=ON && cmake --build --preset release -j "$(nproc)"; } \
        > build/bench/build.log 2>&1 || { tail -20 build/bench/build.log >&2; exit 1; }
}

bench_where() {
    if grep -qwE 'svm|vmx' /proc/cpuinfo && [ -w /dev/kvm ] && [ -z "${COCOON_FORCE_NESTED:-}" ]; then
        echo "this host's KVM"
    else
        echo "the nested runner's KVM (QEMU TCG emulating SVM, scripts/with-kvm.sh): absolute figures are ~100x below real hardware"
    fi
}
