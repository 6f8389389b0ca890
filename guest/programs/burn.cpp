// CPU-bound and quiet: spins until it is killed (a background job for ps and kill to
// find, a foreground one for Ctrl-C), saying so once it runs; or with an argument for
// that many ms, then exits.
#include "cocoon.h"

int main() {
    uint64_t ms = parse_number(program_args());
    volatile uint64_t work = 0;
    if (!ms) {
        printf("burn pid=%d: spinning until killed\n", getpid());
        for (;;) work = work + 1;
    }
    for (uint64_t until = uptime_ms() + ms; uptime_ms() < until;)
        for (int i = 0; i < 100000; ++i) work = work + 1;
    return 0;
}
