// Protection: writing over our own code, which is mapped read-only.
#include "cocoon.h"

int main() {
    auto* code = reinterpret_cast<volatile uint8_t*>(&main);
    printf("writecode: writing to my code at %p\n", (void*)code);
    *code = 0xc3;
    return 0;
}
