#!/usr/bin/env bash
# trace-screenshot.sh TRACE.json OUT.png [WIDTHxHEIGHT]: opens a `cocoon run --trace-out`
# timeline in the Performance panel of Chromium's DevTools (headless) and saves a
# screenshot of it. Exits 1 if the viewer could not load the file, and prints anything
# the viewer complained about. puppeteer-core (npm; it drives Chromium over the DevTools
# protocol) goes to build/tools/, never into the tree.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 TRACE.json OUT.png [WIDTHxHEIGHT]" >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" screenshot
tools="$root/build/tools/screenshot"
if [ ! -d "$tools/node_modules/puppeteer-core" ]; then
    mkdir -p "$tools"
    (cd "$tools" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-save --no-audit --no-fund puppeteer-core@24.43.1 >&2)
fi
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}" NODE_PATH="$tools/node_modules" \
    exec node "$root/scripts/trace-screenshot.js" "$@"
