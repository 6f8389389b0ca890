#!/usr/bin/env bash
# tables.sh: the kernel's space overhead per process, in page-table pages: the demo's
# programs and `hello`, the smallest, each counted by the kernel at its exit (cocoon's
# summary) — the same count cocoon's own walk of the tables gives in the maps. Prints a
# markdown section.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. scripts/bench/common.sh
bench_build

out=build/bench/tables
mkdir -p "$out"
rm -f "$out"/*.json
cat > "$out/run.sh" <<EOF_RUN
build/release/vmm/cocoon run --timeout 600 --log-json $out/demo.json > /dev/null 2>&1
build/release/vmm/cocoon run --timeout 600 --cmdline init=hello --log-json $out/hello.json > /dev/null 2>&1
true
EOF_RUN
scripts/with-kvm.sh --timeout 1800 -- sh "$out/run.sh" >&2

echo "## Page-table pages per process: scripts/bench/tables.sh"
echo
echo "Measured on $(bench_where). Each process's own page-table pages at its exit (the"
echo "kernel half is shared by all and not counted), with the pages it had mapped at its"
echo "peak, from cocoon's summary of the demo and of a run of \`hello\`."
echo
echo "| process | page-table pages | peak pages mapped | how it ended |"
echo "|---|---:|---:|---|"
jq -s -r 'map(select(.summary == "process")) | unique_by(.process) | sort_by(.table_pages, .process) | .[] |
    "| \(.process | sub("#[0-9]+$"; "")) | \(.table_pages) | \(.peak_pages) | \(.ended) |"' \
    "$out/hello.json" "$out/demo.json" | awk '!seen[$0]++'
