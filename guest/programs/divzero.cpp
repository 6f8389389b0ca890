// Protection: dividing by zero.
#include "cocoon.h"

int main() {
    volatile int zero = 0;
    printf("divzero: dividing by zero\n");
    return 10 / zero;
}
