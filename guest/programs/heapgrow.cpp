// Growth: the heap grows by megabytes (8, or the number in its arguments); each page
// appears on first touch (demand-zero).
#include "cocoon.h"

int main() {
    int megabytes = static_cast<int>(parse_number(program_args()));
    if (megabytes <= 0 || megabytes > 1024) megabytes = 8;
    uint64_t sum = 0;
    for (int m = 0; m < megabytes; ++m) {
        auto* block = static_cast<uint8_t*>(malloc(1 << 20));
        if (!block) {
            printf("heapgrow: out of memory at %d MiB\n", m);
            return 1;
        }
        for (int i = 0; i < (1 << 20); i += 4096) {
            if (block[i] != 0) return 2;  // demand-zero pages start zeroed
            block[i] = static_cast<uint8_t>(m + 1);
            sum += block[i];
        }
    }
    printf("heapgrow: grew the heap by %d MiB, checksum %lu\n", megabytes, sum);
    return 0;
}
