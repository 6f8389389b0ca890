// Protection: reading the kernel's memory. The kernel half is supervisor-only.
#include "cocoon.h"

int main() {
    auto* kernel = reinterpret_cast<volatile uint64_t*>(0xffffffff80100000ull);
    printf("kernelread: reading kernel memory at %p\n", (void*)kernel);
    return static_cast<int>(*kernel);
}
