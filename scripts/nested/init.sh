#!/bin/busybox sh
# /init of with-kvm.sh's nested VM: load virtio-9p and KVM, mount the host's root
# read-only with the shared folders on top, run the command there, report its status,
# power off. Anything that goes wrong is written to /ctl/error for the host to print.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

halt_now() { sync; poweroff -f; sleep 10; }
fail() {
    # The host prints /ctl/error; before the share is mounted only the console can tell.
    grep -q " /ctl " /proc/mounts && echo "$*" > /ctl/error || echo "with-kvm: $*" > /dev/console
    halt_now
}

p9="trans=virtio,version=9p2000.L,msize=512000"
loaded=""
while read -r ko; do
    name=${ko##*/}; name=${name%%.ko*}
    case "$name" in kvm|kvm-amd|kvm_amd|irqbypass|ccp) continue ;; esac
    insmod "/lib/modules/$ko" || fail "could not load module $name"
done < /modules.order
mount -t 9p -o "$p9" ctl /ctl || fail "could not mount the control share (9p)"

while read -r ko; do
    name=${ko##*/}; name=${name%%.ko*}
    case "$name" in kvm|kvm-amd|kvm_amd|irqbypass|ccp) ;; *) continue ;; esac
    insmod "/lib/modules/$ko" 2>/ctl/insmod.err || fail "could not load module $name: $(cat /ctl/insmod.err)"
done < /modules.order
[ -c /dev/kvm ] || fail "/dev/kvm did not appear after loading kvm-amd (does the CPU model offer SVM?)"

# cache=loose: the host root is read-only here, so caching its files is safe and fast.
mount -t 9p -o "$p9,ro,cache=loose" hostroot /host || fail "could not mount the host root (9p)"
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
mount -t tmpfs tmp /host/tmp
mount -t tmpfs run /host/run
mkdir -p /host/dev/shm /host/dev/pts
mount -t tmpfs shm /host/dev/shm
mount -t devpts devpts /host/dev/pts
while read -r tag dir; do
    # A folder under /tmp or /run is hidden by the tmpfs above: make its mount point.
    [ -d "/host$dir" ] || mkdir -p "/host$dir"
    mount -t 9p -o "$p9" "$tag" "/host$dir" || fail "could not mount $dir read-write (9p)"
done < /ctl/mounts
mkdir -p /host/tmp/with-kvm
mount --bind /ctl /host/tmp/with-kvm

stty -onlcr < /dev/console 2>/dev/null
# The heartbeat tells the host this kernel still gets its CPU (with-kvm.sh's watcher).
(while :; do touch /ctl/heartbeat; sleep 2; done) &

# Loopback, as any init brings it up: tests talk to cocoon over 127.0.0.1 (--gdb).
ip link set lo up 2>/dev/null
chroot /host /bin/sh /tmp/with-kvm/cmd.sh < /dev/null > /dev/console 2>&1
echo $? > /ctl/status
halt_now
