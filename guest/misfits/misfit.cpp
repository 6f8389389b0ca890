// A program the kernel must refuse to load: each script in this folder links this one
// source with a segment where none may be (usertests spawns each and expects the
// refusal). Were one ever run, it would exit 3, which usertests would see.
#include "cocoon/syscalls.h"

// What the scripts place: the code never refers to it (it may lie 128 TiB away).
[[gnu::used]] volatile int misfit_data[4] = {3};

extern "C" [[noreturn]] void _start() {
    asm volatile("syscall" ::"a"(uint64_t{cocoon::sys::exit}), "D"(uint64_t{3}) : "rcx", "r11");
    for (;;) {
    }
}
