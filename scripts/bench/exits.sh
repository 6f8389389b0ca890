#!/usr/bin/env bash
# exits.sh: VM exits per event. A guest program (guest/programs/exitbench.cpp) makes N
# events of one kind; the same program making none is the baseline. From cocoon's JSON
# log of each run come cocoon's own count of exits to user space and KVM's count of all
# the vCPU's exits (its binary stats: the counters debugfs shows under kvm/); the
# difference over N is what one event costs. Prints a markdown section.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. scripts/bench/common.sh
bench_build

out=build/bench/exits
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.out
kinds=(syscall fault switch disk sleep console)
declare -A count=([syscall]=20000 [fault]=20000 [switch]=20000 [disk]=2000 [sleep]=2000 [console]=8192)
{
    for kind in "${kinds[@]}"; do
        for n in 0 "${count[$kind]}"; do
            echo "build/release/vmm/cocoon run --disk build/release/guest/programs.tar,ro --timeout 900" \
                "--cmdline init=exitbench:$kind:$n --log-json $out/$kind-$n.json > $out/$kind-$n.out 2>&1"
        done
    done
} > "$out/run.sh"
scripts/with-kvm.sh --timeout 3000 -- sh "$out/run.sh" >&2

# A run's figures, from its JSON log, tab-separated in the order of `fields`.
fields=(cocoon cocoon_io cocoon_mmio kvm kvm_io kvm_mmio halt irq pf_fixed ticks records switches)
figures() {
    jq -s -r '
        (map(select(.summary == "exits")) | first) as $e |
        (map(select(.summary == "kvm")) | first | .counters) as $k |
        (map(select(.summary == "trace")) | first) as $t |
        [ ($e.by_reason | [.[]] | add // 0), ($e.by_reason.io // 0), ($e.by_reason.mmio // 0),
          $k.exits, $k.io_exits, $k.mmio_exits, $k.halt_exits, $k.irq_exits, $k.pf_fixed,
          $e.irqfd_interrupts, ($t.records // 0), ($t.switches // 0) ] | @tsv' "$1"
}
declare -A base run
load() {  # load ARRAY FILE
    local -n into=$1
    local values i=0
    read -r -a values < <(figures "$2")
    for f in "${fields[@]}"; do into[$f]=${values[$i]}; i=$((i + 1)); done
}
per() { awk -v d="$1" -v n="$2" 'BEGIN { x = d / n; printf "%.2f", (x < 0.005 && x > -0.005) ? 0 : x }'; }

echo "## VM exits per event: scripts/bench/exits.sh"
echo
echo "Measured on $(bench_where)."
echo "Each row is a run of \`exitbench\` making N events less a run making none, over the"
echo "events. *To cocoon* counts the exits that reached user space (cocoon's own count);"
echo "*KVM, in all* counts every exit of the vCPU, most of which KVM handles itself (the"
echo "vCPU's binary statistics, the counters debugfs shows under \`kvm/\`), with the kinds"
echo "that make it up: *first touch* is KVM backing a guest page with host memory on its"
echo "first use (\`pf_fixed\`), *halt* the idle CPU's HLT, *irq* a host interrupt, *port*"
echo "port I/O that KVM completed in the kernel (an ioeventfd, the in-kernel PIC and PIT)."
echo
echo "| event | N | to cocoon, each | KVM, in all, each | first touch | halt | irq | port |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
crosscheck=yes
for kind in "${kinds[@]}"; do
    n=${count[$kind]}
    load base "$out/$kind-0.json"
    load run "$out/$kind-$n.json"
    for r in base run; do
        declare -n f=$r
        [ "${f[cocoon_mmio]}" = "${f[kvm_mmio]}" ] && [ "${f[cocoon_io]}" -le "${f[kvm_io]}" ] ||
            crosscheck="no ($kind: cocoon io ${f[cocoon_io]} mmio ${f[cocoon_mmio]}, KVM io ${f[kvm_io]} mmio ${f[kvm_mmio]})"
        unset -n f
    done
    d() { echo $((run[$1] - base[$1])); }
    case $kind in
        syscall) label="null system call" ;;
        fault) label="demand-zero page fault" ;;
        switch) label="context switch (yield)"; n=$(d switches) ;;
        disk) label="disk request (4 KiB read)" ;;
        sleep) label="timer tick, CPU idle"; n=$(d ticks) ;;
        console) label="console byte (the kernel's UART driver)" ;;
    esac
    port=$(( $(d kvm_io) - $(d cocoon_io) ))
    echo "| $label | $n | $(per "$(d cocoon)" "$n") | $(per "$(d kvm)" "$n") | $(per "$(d pf_fixed)" "$n") |" \
        "$(per "$(d halt)" "$n") | $(per "$(d irq)" "$n") | $(per "$port" "$n") |"
    if [ "$kind" = switch ]; then
        records=$(d records)
        echo "| trace record (of the switch run) | $records | $(per "$(d cocoon)" "$records") | – | | | | |"
    fi
done
echo
echo "Cross-check in every run: cocoon's MMIO exits equal KVM's \`mmio_exits\`, and its port"
echo "exits are KVM's \`io_exits\` less those KVM completed itself: $crosscheck."
echo
echo "One run's summary (the disk run), as cocoon logs it:"
echo
echo '```'
grep -hE "exits to user space|KVM's own count|timer interrupts|disk 0: [0-9]+ reads" "$out/disk-${count[disk]}.out" |
    sed 's/^\[cocoon info\] //'
echo '```'
