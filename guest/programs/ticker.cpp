// Interactive-style: wakes every 50 ms, says so, and sleeps again. Next to programs
// that keep the disk busy with swapping, it should still get its turns.
#include "cocoon.h"

int main() {
    int pid = getpid();
    for (int tick = 1; tick <= 10; ++tick) {
        sleep_ms(50);
        printf("ticker pid=%d: tick %d at %lu ms\n", pid, tick, uptime_ms());
    }
    return 0;
}
