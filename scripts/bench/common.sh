# Shared by the benchmark scripts (sourced): the build they measure, and which KVM they
# ran on, said in one sentence for the tables.
bench_build() {
    scripts/setup.sh bench
    mkdir -p build/bench
    scripts/build.sh release > build/bench/build.log 2>&1 || { tail -20 build/bench/build.log >&2; exit 1; }
}

bench_where() {
    if grep -qwE 'svm|vmx' /proc/cpuinfo && [ -w /dev/kvm ] && [ -z "${COCOON_FORCE_NESTED:-}" ]; then
        echo "this host's KVM"
    else
        echo "the nested runner's KVM (QEMU TCG emulating SVM, scripts/with-kvm.sh): absolute figures are ~100x below real hardware"
    fi
}
