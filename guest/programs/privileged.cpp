// Protection: a privileged instruction (hlt) in user mode.
#include "cocoon.h"

int main() {
    printf("privileged: executing hlt\n");
    asm volatile("hlt");
    return 0;
}
