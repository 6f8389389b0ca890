// The console in raw mode: each byte is read as it comes and written back at once, as
// an editor echoes its keys (the kernel itself echoes nothing then, and Ctrl-C is a
// byte like any other); Ctrl-D ends it. The scheduler decides how soon the echo comes.
#include "cocoon.h"

int main() {
    console_mode(cocoon::sys::console_raw);
    printf("rawecho: raw mode, Ctrl-D ends\n");
    char c;
    while (read(0, &c, 1) == 1 && c != 0x04) write(1, &c, 1);
    console_mode(cocoon::sys::console_cooked);
    printf("\nrawecho: done\n");
    return 0;
}
