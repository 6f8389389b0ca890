// Reads the console line by line to its end (Ctrl-D on an empty line) and says what it
// got: lines, bytes and their FNV-1a hash, so that a test can check that pasted text
// arrived whole. `linesum N` also says each time N more lines have come.
#include "cocoon.h"

int main() {
    uint64_t every = parse_number(program_args());
    uint64_t lines = 0, bytes = 0;
    uint32_t hash = 2166136261u;
    static char line[4096];
    for (long n; (n = read(0, line, sizeof line)) > 0;) {
        for (long i = 0; i < n; ++i) hash = (hash ^ static_cast<uint8_t>(line[i])) * 16777619u;
        bytes += static_cast<uint64_t>(n);
        if (line[n - 1] != '\n') continue;
        ++lines;
        if (every && lines % every == 0) printf("linesum: %lu lines so far\n", lines);
    }
    printf("linesum: %lu lines, %lu bytes, fnv1a %08x\n", lines, bytes, hash);
    return 0;
}
