// Protection: an invalid opcode (ud2).
#include "cocoon.h"

int main() {
    printf("badopcode: executing ud2\n");
    asm volatile("ud2");
    return 0;
}
