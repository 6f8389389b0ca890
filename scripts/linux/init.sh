#!/bin/busybox sh
# /init of the Linux guest that scripts/linux-guest.sh builds: load Debian's virtio
# modules, say what the disks are, then run cocoon.scenario=NAME (a script of
# scripts/linux/scenarios/, for the tests) or the command cocoon.run=WORD,WORD,... from
# the kernel's command line, or else give an interactive shell on the console.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "linux-guest: userland reached"
while read -r ko; do
    insmod "/lib/modules/$ko" || echo "linux-guest: could not load ${ko##*/}"
done < /modules.order
for d in /sys/block/vd*; do
    [ -e "$d" ] && echo "linux-guest: disk ${d##*/}: $(cat "$d/size") sectors, ro=$(cat "$d/ro")"
done
scenario=$(sed -n 's/.*cocoon\.scenario=\([a-z0-9-]*\).*/\1/p' /proc/cmdline)
command=$(sed -n 's/.*cocoon\.run=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -n "$scenario" ]; then
    # A script of scripts/linux/scenarios/, for the tests.
    sh "/scenarios/$scenario.sh"
    echo "linux-guest: scenario $scenario ended with status $?"
elif [ -n "$command" ]; then
    # The command, its words joined by commas on the command line.
    sh -c "$(echo "$command" | tr ',' ' ')"
    echo "linux-guest: command ended with status $?"
else
    echo "linux-guest: a busybox shell; 'reboot -f' ends the machine"
    setsid cttyhack sh
fi
sync
reboot -f
