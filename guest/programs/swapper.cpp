// More memory than the machine has: fills 16 MiB of heap with a pattern (every byte),
// then reads it all back. With a small --mem and a swap disk, most of it has been to
// the disk and back in between; no byte may differ.
#include "cocoon.h"

namespace {

constexpr uint64_t megabytes = 16;
constexpr uint64_t words_per_page = 4096 / 8;

uint64_t pattern(uint64_t page, uint64_t word) {
    uint64_t x = (page + 1) * 0x9e3779b97f4a7c15ull ^ (word + 1) * 0xbf58476d1ce4e5b9ull;
    return x ^ (x >> 29);
}

} // namespace

int main() {
    int pid = getpid();
    uint64_t pages = megabytes * 256;
    auto* heap = static_cast<uint64_t*>(sbrk(static_cast<intptr_t>(megabytes << 20)));
    if (reinterpret_cast<intptr_t>(heap) < 0) {
        printf("swapper pid=%d: no heap\n", pid);
        return 1;
    }
    for (uint64_t p = 0; p < pages; ++p)
        for (uint64_t w = 0; w < words_per_page; ++w) heap[p * words_per_page + w] = pattern(p, w);
    printf("swapper pid=%d: wrote %lu MiB\n", pid, megabytes);
    uint64_t bad = 0;
    for (uint64_t p = 0; p < pages; ++p)
        for (uint64_t w = 0; w < words_per_page; ++w) bad += heap[p * words_per_page + w] != pattern(p, w);
    printf("swapper pid=%d: verified %lu MiB, %lu bad words\n", pid, megabytes, bad);
    return bad == 0 ? 0 : 1;
}
