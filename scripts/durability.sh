#!/usr/bin/env bash
# durability.sh [TRIALS]: the durability test with more trials than CI runs (default
# 500): cocoon SIGKILLed at random moments while a guest writes and flushes records;
# every record the guest saw flushed must be in the disk image. Runs through the
# nested-KVM runner unless this host has a usable /dev/kvm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
trials=${1:-500}
scripts/build.sh debug > /dev/null
export COCOON_DURABILITY_TRIALS=$trials
scripts/with-kvm.sh -- build/debug/tests/kvm/cocoon_kvm_tests --gtest_filter='Durability.*'
