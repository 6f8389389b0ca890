# Disk throughput as Linux sees it, for scripts/bench/linux.sh: dd with O_DIRECT on vda
# (at least 64 MiB), writing then reading, at 4 KiB and 64 KiB, one job (one request in
# flight) and four jobs at once, each on its own quarter of the bytes. One line per case:
#   linux-guest: diskbench OP BLOCK JOBS: BYTES bytes in US us, REQUESTS requests
# timed on the guest's clock (/proc/timer_list: ns, where /proc/uptime has 10 ms), the
# requests those Linux completed on vda (/sys/block/vda/stat: reads and writes).
now_us() { awk '/^now at/ { printf "%d", $3 / 1000; exit }' /proc/timer_list; }
requests() { awk '{ print $1 + $5 }' /sys/block/vda/stat; }
for block in 4096 65536; do
    total=$((block == 4096 ? 8 << 20 : 32 << 20))
    for jobs in 1 4; do
        for op in write read; do
            count=$((total / block / jobs))
            before=$(requests)
            start=$(now_us)
            for j in $(seq 0 $((jobs - 1))); do
                if [ $op = write ]; then
                    dd if=/dev/zero of=/dev/vda bs=$block seek=$((j * count)) count=$count oflag=direct 2>/dev/null &
                else
                    dd if=/dev/vda of=/dev/null bs=$block skip=$((j * count)) count=$count iflag=direct 2>/dev/null &
                fi
            done
            wait
            end=$(now_us)
            echo "linux-guest: diskbench $op $block $jobs: $total bytes in $((end - start)) us, $(($(requests) - before)) requests"
        done
    done
done
