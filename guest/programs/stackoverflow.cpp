// Protection: unbounded recursion runs past the 8 MiB stack limit into the guard gap.
#include "cocoon.h"

static volatile int keep_going = 1;

static int dive(int depth) {
    volatile char frame[4096];
    frame[0] = static_cast<char>(depth);
    return (keep_going ? dive(depth + 1) : 0) + frame[0];
}

int main() {
    printf("stackoverflow: recursing without end\n");
    return dive(0);
}
