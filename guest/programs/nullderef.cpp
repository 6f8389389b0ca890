// Protection: reading address 0. Page 0 is never mapped; the kernel kills us.
#include "cocoon.h"

int main() {
    volatile int* null = nullptr;
    printf("nullderef: reading address 0\n");
    return *null;
}
