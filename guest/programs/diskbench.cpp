// Disk throughput from a program: sequential and random reads and writes of 4 KiB and
// 64 KiB on disk 1 (a scratch disk), timed with uptime_ms. scripts/bench/disk.sh runs
// it under cocoon and under QEMU and puts the lines side by side.
#include "cocoon.h"

namespace {

uint64_t random_state = 0x9e3779b97f4a7c15ull;
uint64_t next_random() {
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    return random_state;
}

void run(const char* name, bool write, bool random, uint64_t block, uint64_t disk_bytes, uint8_t* buffer) {
    uint64_t requests = disk_bytes / block;
    uint64_t sectors_per_block = block / 512;
    uint64_t start = uptime_ms();
    for (uint64_t i = 0; i < requests; ++i) {
        uint64_t at = (random ? next_random() % requests : i) * sectors_per_block;
        long r = write ? disk_write(1, at, buffer, block) : disk_read(1, at, buffer, block);
        if (r != 0) {
            printf("diskbench: %s failed at sector %lu: %ld\n", name, at, r);
            exit(1);
        }
    }
    if (write) disk_flush(1);
    uint64_t ms = uptime_ms() - start;
    printf("diskbench: %s %lu B x %lu requests in %lu ms\n", name, block, requests, ms);
}

} // namespace

int main() {
    long sectors = disk_sectors(1);
    if (sectors < 2048) {
        printf("diskbench: disk 1 needs at least 1 MiB, it has %ld sectors\n", sectors);
        return 1;
    }
    uint64_t bytes = static_cast<uint64_t>(sectors) * 512;
    if (bytes > (16u << 20)) bytes = 16u << 20;
    auto* buffer = static_cast<uint8_t*>(malloc(64 << 10));
    for (int i = 0; i < (64 << 10); ++i) buffer[i] = static_cast<uint8_t>(i);
    run("seq-write", true, false, 64 << 10, bytes, buffer);
    run("seq-read", false, false, 4096, bytes, buffer);
    run("seq-read", false, false, 64 << 10, bytes, buffer);
    run("rand-read", false, true, 4096, bytes / 4, buffer);
    run("seq-write", true, false, 4096, bytes / 4, buffer);
    return 0;
}
