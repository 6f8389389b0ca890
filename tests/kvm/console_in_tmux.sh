#!/usr/bin/env bash
# console_in_tmux.sh COCOON ECHO_GUEST: cocoon tried as a person would, in a real
# terminal. tmux runs a shell; the keys are typed with send-keys and the screen read with
# capture-pane. Checked: raw mode while cocoon runs (stty, from outside), typed keys reach
# the guest and only its echo shows, Ctrl-C is a byte for the guest, Ctrl-A h shows the
# keys, Ctrl-A x ends cocoon with status 131 and log lines that start at the left, and
# `stty -a` after is what it was before. A KVM test: it fails where there is no KVM.
set -euo pipefail
cocoon=$1 guest=$2
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "KVM tests need KVM: run them through scripts/with-kvm.sh" >&2; exit 1; }
command -v tmux > /dev/null || { echo "tmux not found: run scripts/setup.sh" >&2; exit 1; }

work=$(mktemp -d)
socket=cocoon-console-test-$$
tmux() { command tmux -L "$socket" -f /dev/null "$@"; }
trap 'tmux kill-server 2> /dev/null || true; rm -rf "$work"' EXIT

screen() { tmux capture-pane -p -J -S -200 -t test; }
fail() {
    echo "console_in_tmux: $*" >&2
    echo "--- the screen:" >&2
    screen >&2
    exit 1
}
# Waits up to a minute (a nested runner is slow) for a line matching the regex `$1`.
wait_for() {
    for _ in $(seq 600); do
        screen | grep -qE -- "$1" && return 0
        sleep 0.1
    done
    fail "no line matching '$1' came"
}

tmux new-session -d -s test -x 120 -y 40 "bash --norc --noprofile"
tty=$(tmux display-message -p -t test '#{pane_tty}')
tmux send-keys -t test "stty -a > $work/before; $cocoon run --kernel $guest --timeout 600; echo status=\$?; stty -a > $work/after" Enter

wait_for '^echo ready$'
stty -a -F "$tty" > "$work/during"
for flag in -icanon -echo -isig -icrnl -ixon opost; do
    grep -qE -- "(^| )$flag( |;|$)" "$work/during" || fail "stty -a during the run lacks $flag: $(cat "$work/during")"
done

tmux send-keys -t test hello
wait_for '^hello$'  # once: the terminal itself echoes nothing
tmux send-keys -t test C-c
wait_for '^hello\^C$'
tmux send-keys -t test C-a h
wait_for 'Ctrl-A  send one Ctrl-A to the guest'
tmux send-keys -t test C-a x
wait_for '^status=131$'
screen | grep -qE '^\[cocoon info\] stopped after .*: ended from the console \(Ctrl-A x\) \(exit status 131\)$' ||
    fail "no summary line saying why the run ended, at the start of a line"

for _ in $(seq 100); do [ -s "$work/after" ] && break; sleep 0.1; done
diff "$work/before" "$work/after" > /dev/null || fail "stty -a after the run differs from before: $(diff "$work/before" "$work/after")"
echo "console_in_tmux: raw mode taken and given back; keys, Ctrl-C, Ctrl-A h and Ctrl-A x as they should be"
