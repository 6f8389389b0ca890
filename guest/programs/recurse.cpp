// Growth: deep recursion grows the stack down a page at a time, well within its limit.
#include "cocoon.h"

static uint64_t depth_sum(int depth) {
    volatile char frame[256];
    frame[0] = static_cast<char>(depth);
    if (depth == 0) return 0;
    return depth_sum(depth - 1) + static_cast<uint64_t>(frame[0] & 1);
}

int main() {
    constexpr int depth = 10000;  // about 2.5 MiB of stack
    printf("recurse: depth %d, odd levels %lu\n", depth, depth_sum(depth));
    return 0;
}
