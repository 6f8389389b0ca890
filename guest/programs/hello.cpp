// The smallest program: one line, exit 0.
#include "cocoon.h"

int main() {
    printf("hello from pid %d\n", getpid());
    return 0;
}
