// A burst of trace records twenty times the size of the kernel's trace ring: every
// yield is one switch record. cocoon must take every one without a VM exit per record
// and without losing any (tests/kvm/trace_test.cpp).
#include "cocoon.h"

int main() {
    constexpr int yields = 20000;
    for (int i = 0; i < yields; ++i) yield();
    printf("burst pid=%d: yielded %d times\n", getpid(), yields);
    return 0;
}
