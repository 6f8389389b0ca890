#!/usr/bin/env bash
# bench.sh [SECTION...]: the benchmark suite, in one command. Each section is a script in
# scripts/bench/ that measures under KVM (the nested runner here, this host's KVM where
# it has a real one) and prints markdown; its output replaces the text between
# `<!-- bench:SECTION -->` and `<!-- /bench:SECTION -->` in docs/performance.md, so the
# tables there are always those of the last run and the prose around them stays.
# With no SECTION, all of them. Raw outputs stay in build/bench/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
doc=docs/performance.md
all=(exits startup endtoend disk linux callgrind cycles tables echo multiprog)
sections=("$@")
[ ${#sections[@]} -gt 0 ] || sections=("${all[@]}")
mkdir -p build/bench

for section in "${sections[@]}"; do
    script=scripts/bench/$section.sh
    [ -x "$script" ] || { echo "bench: no section '$section' (one of: ${all[*]})" >&2; exit 2; }
    grep -q "^<!-- bench:$section -->\$" "$doc" || { echo "bench: $doc has no marker for '$section'" >&2; exit 2; }
    echo "bench: $section ..." >&2
    started=$SECONDS
    "$script" > "build/bench/$section.md"
    awk -v name="$section" -v file="build/bench/$section.md" '
        $0 == "<!-- bench:" name " -->" { print; while ((getline line < file) > 0) print line; skipping = 1; next }
        $0 == "<!-- /bench:" name " -->" { skipping = 0 }
        !skipping' "$doc" > "$doc.new"
    mv "$doc.new" "$doc"
    echo "bench: $section done in $((SECONDS - started)) s" >&2
done
