// Transparency: every copy of this program writes its pid at the same virtual address,
// sleeps while the others do the same, and reads it back. Each sees its own value.
#include "cocoon.h"

static volatile int slot;  // one address, in every copy

int main() {
    int pid = getpid();
    slot = pid;
    sleep_ms(50);
    printf("transparency pid=%d addr=%p value=%d\n", pid, (void*)&slot, slot);
    return slot == pid ? 0 : 1;
}
