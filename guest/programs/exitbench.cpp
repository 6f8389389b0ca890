// Events of one kind, counted, for scripts/bench/exits.sh: cocoon's exits to user space
// and KVM's own exit counts, taken from a run with N events and one with none, give the
// exits each event costs. Arguments: "KIND N", KIND one of
//   syscall  N null system calls (getpid)
//   fault    N demand-zero page faults (a new heap page touched each time)
//   switch   N yields between this process and a child doing the same: ~2N switches
//   disk     N 4 KiB reads from disk 0
//   sleep    sleep N ms: the timer ticks while the CPU idles
//   console  N bytes written to the console, in lines of 64
#include "cocoon.h"

int main() {
    const char* args = program_args();
    uint64_t n = parse_number(next_word(args));
    if (starts_with(args, "syscall ")) {
        for (uint64_t i = 0; i < n; ++i) getpid();
    } else if (starts_with(args, "fault ")) {
        auto* heap = static_cast<volatile uint8_t*>(sbrk(static_cast<intptr_t>(n * 4096)));
        for (uint64_t i = 0; i < n; ++i) heap[i * 4096] = 1;
    } else if (starts_with(args, "switch ")) {
        char child_args[32];
        snprintf(child_args, sizeof child_args, "partner %lu", n);
        int child = spawn("exitbench", child_args);
        for (uint64_t i = 0; i < n; ++i) yield();
        wait(child, nullptr);
    } else if (starts_with(args, "partner ")) {
        for (uint64_t i = 0; i < n; ++i) yield();
    } else if (starts_with(args, "disk ")) {
        static uint8_t buffer[4096];
        for (uint64_t i = 0; i < n; ++i)
            if (disk_read(0, (i % 64) * 8, buffer, sizeof buffer) != 0) return 1;
    } else if (starts_with(args, "console ")) {
        static char line[64];
        for (int i = 0; i < 63; ++i) line[i] = static_cast<char>('a' + i % 26);
        line[63] = '\n';
        for (uint64_t i = 0; i < n; i += sizeof line) write(1, line, sizeof line);
    } else if (starts_with(args, "sleep ")) {
        sleep_ms(n);
    } else {
        printf("exitbench: unknown arguments '%s'\n", args);
        return 2;
    }
    printf("exitbench: done\n");  // the same bytes whatever N: the console's exits cancel out
    return 0;
}
