# The disk checks of tests/kvm/linux_guest_test.cpp, with three disks: vda and vdb
# writable, vdc read-only. The host compares the images after cocoon exits.
#   vda: `seq 1 100000` written with O_DIRECT from sector 0 (the rest of the last block zero)
#   vda and vdb: four dd jobs at once, each writing `seq` of its own numbers to its own
#   region (64 KiB requests, O_DIRECT), read back with O_DIRECT and compared here too
#   vdc: a write refused; its image unchanged
echo "linux-guest: clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
seq 1 100000 | dd of=/dev/vda bs=4096 iflag=fullblock conv=sync oflag=direct 2>/dev/null
echo "linux-guest: pattern written: status $?"
job() {  # disk, region (MiB), first number
    seq "$3" $(($3 + 150000)) | dd of="/dev/$1" bs=65536 seek=$(($2 * 16)) count=16 iflag=fullblock conv=sync \
        oflag=direct 2>/dev/null
}
job vda 4 1000000 & job vda 8 2000000 & job vdb 4 3000000 & job vdb 8 4000000 &
wait
bad=0
for j in "vda 4 1000000" "vda 8 2000000" "vdb 4 3000000" "vdb 8 4000000"; do
    set -- $j
    want=$(seq "$3" $(($3 + 150000)) | head -c 1048576 | md5sum | cut -d' ' -f1)
    got=$(dd if="/dev/$1" bs=65536 skip=$(($2 * 16)) count=16 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
    [ "$want" = "$got" ] || bad=$((bad + 1))
done
echo "linux-guest: parallel jobs done: $bad bad regions"
if dd if=/dev/zero of=/dev/vdc bs=4096 count=1 oflag=direct 2>/dev/null; then
    echo "linux-guest: read-only disk: write accepted"
else
    echo "linux-guest: read-only disk: write refused"
fi
sync
