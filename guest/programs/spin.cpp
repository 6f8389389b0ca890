// Time-slicing: a CPU-bound loop that reports its progress; several copies interleave
// only because the timer preempts them.
#include "cocoon.h"

int main() {
    int pid = getpid();
    volatile uint64_t work = 0;
    for (int step = 1; step <= 5; ++step) {
        uint64_t until = uptime_ms() + 20;
        while (uptime_ms() < until) work = work + 1;
        printf("spin pid=%d step=%d\n", pid, step);
    }
    return 0;
}
