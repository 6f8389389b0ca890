// Durability: writes record k to sector k of disk 0, flushes, and only then says so.
// Whatever moment cocoon is killed at, every record announced as flushed must be in
// the image (tests/kvm/durability_test.cpp).
#include "cocoon.h"

int main() {
    static char sector[512];
    long sectors = disk_sectors(0);
    if (sectors < 2) {
        printf("journal: no writable disk 0\n");
        return 1;
    }
    for (long k = 1; k < sectors; ++k) {
        memset(sector, 0, sizeof sector);
        snprintf(sector, sizeof sector, "journal record %ld", k);
        if (disk_write(0, static_cast<uint64_t>(k), sector, sizeof sector) != 0 || disk_flush(0) != 0) {
            printf("journal: write or flush of record %ld failed\n", k);
            return 1;
        }
        printf("journal: flushed %ld\n", k);
    }
    return 0;
}
