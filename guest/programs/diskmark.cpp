// Durability: writes a marker to sector 0 of disk 1, flushes it, says so, and waits
// to be killed. What a flush acknowledged must be in the image afterwards.
#include "cocoon.h"

int main() {
    static char sector[512] = "cocoon flushed this sector";
    long written = disk_write(1, 0, sector, sizeof sector);
    long flushed = disk_flush(1);
    printf("diskmark: written %ld, flushed %ld\n", written, flushed);
    for (;;) sleep_ms(1000);
}
