// Protection: jumping into the stack. The stack is no-execute.
#include "cocoon.h"

int main() {
    volatile uint8_t code[16] = {0xc3};  // ret
    printf("execstack: calling into the stack at %p\n", (void*)code);
    reinterpret_cast<void (*)()>(const_cast<uint8_t*>(code))();
    return 0;
}
