// A program's arguments as its main() reads them ("fault 1000"): no libc to lean on.
#include "cocoon.h"

bool starts_with(const char* s, const char* prefix) {
    while (*prefix)
        if (*s++ != *prefix++) return false;
    return true;
}

uint64_t parse_number(const char* s) {
    uint64_t n = 0;
    while (*s >= '0' && *s <= '9') n = n * 10 + static_cast<uint64_t>(*s++ - '0');
    return n;
}

const char* next_word(const char* s) {
    while (*s && *s != ' ') ++s;
    return *s ? s + 1 : s;
}
