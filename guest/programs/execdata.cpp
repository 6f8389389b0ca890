// Protection: jumping into data (a ret instruction on the heap). Data is no-execute.
#include "cocoon.h"

int main() {
    auto* code = static_cast<uint8_t*>(malloc(16));
    code[0] = 0xc3;  // ret
    printf("execdata: calling into the heap at %p\n", (void*)code);
    reinterpret_cast<void (*)()>(code)();
    return 0;
}
