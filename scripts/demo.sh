#!/usr/bin/env bash
# demo.sh [cocoon run options]: set up, build and run cocoon's demo on real KVM
# (through scripts/with-kvm.sh when this host has no /dev/kvm).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/build.sh debug
exec scripts/with-kvm.sh -- build/debug/vmm/cocoon run "$@"
