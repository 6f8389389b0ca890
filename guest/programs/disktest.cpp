// The disks from a program: disk 0 holds the programs (read-only), disk 1 is scratch.
// Writes 64 KiB to disk 1, flushes, reads it back; tries what must fail.
#include "cocoon.h"

namespace sys = cocoon::sys;

static const char* verdict(long result, long expected) { return result == expected ? "as expected" : "WRONG"; }

int main() {
    constexpr size_t size = 64 << 10;
    auto* buffer = static_cast<uint8_t*>(malloc(size + 100)) + 100;  // not page-aligned on purpose
    for (size_t i = 0; i < size; ++i) buffer[i] = static_cast<uint8_t>(i * 7 + 3);

    long r = disk_write(0, 0, buffer, 512);
    printf("disktest: write to the read-only disk: %ld, %s\n", r, verdict(r, -sys::erofs));
    long sectors = disk_sectors(1);
    printf("disktest: disk 1 has %ld sectors\n", sectors);
    r = disk_write(1, 8, buffer, size);
    long f = disk_flush(1);
    for (size_t i = 0; i < size; ++i) buffer[i] = 0;
    long back = disk_read(1, 8, buffer, size);
    size_t wrong = 0;
    for (size_t i = 0; i < size; ++i) wrong += buffer[i] != static_cast<uint8_t>(i * 7 + 3);
    printf("disktest: 64 KiB written (%ld), flushed (%ld), read back (%ld): %lu bytes differ\n", r, f, back, static_cast<unsigned long>(wrong));

    r = disk_read(1, static_cast<uint64_t>(sectors), buffer, 512);
    printf("disktest: read past the end: %ld, %s\n", r, verdict(r, -sys::einval));
    r = disk_read(1, 0, buffer, 100);
    printf("disktest: read of part of a sector: %ld, %s\n", r, verdict(r, -sys::einval));
    r = disk_read(1, 0, reinterpret_cast<void*>(0xffffffff80100000), 512);
    printf("disktest: read into kernel memory: %ld, %s\n", r, verdict(r, -sys::efault));
    r = disk_read(1, 0, reinterpret_cast<void*>(0x400000), 512);
    printf("disktest: read into my own code: %ld, %s\n", r, verdict(r, -sys::efault));
    r = disk_read(7, 0, buffer, 512);
    printf("disktest: read from a disk that is not there: %ld, %s\n", r, verdict(r, -sys::enoent));
    return wrong == 0 ? 0 : 1;
}
