// printf's conversions as the kernel (kprintf) and the user runtime (printf, snprintf)
// both do them, each with its own `put` of a character: %s %c %d %u %x %p %%, an
// optional 0 and width, and l or ll; %s takes a width too, and '-' to pad it on the
// right (for columns). A null %s prints "(null)"; an unknown conversion prints as written.
#pragma once
#include <stdarg.h>

namespace freestanding {

template <typename Put>
void put_number(Put& put, unsigned long long value, unsigned base, int width, char pad) {
    char digits[32];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value);
    while (n < width && n < static_cast<int>(sizeof digits)) digits[n++] = pad;
    while (n) put(digits[--n]);
}

template <typename Put>
void put_string(Put& put, const char* s, int width, bool left) {
    if (!s) s = "(null)";
    int length = 0;
    while (s[length]) ++length;
    for (int i = length; !left && i < width; ++i) put(' ');
    for (const char* c = s; *c; ++c) put(*c);
    for (int i = length; left && i < width; ++i) put(' ');
}

template <typename Put>
void format(Put& put, const char* f, va_list args) {
    for (; *f; ++f) {
        if (*f != '%') {
            put(*f);
            continue;
        }
        ++f;
        char pad = ' ';
        int width = 0;
        bool left = *f == '-';
        if (left) ++f;
        if (*f == '0') pad = '0', ++f;
        while (*f >= '0' && *f <= '9') width = width * 10 + (*f++ - '0');
        int longs = 0;
        while (*f == 'l') ++longs, ++f;
        switch (*f) {
        case 's': put_string(put, va_arg(args, const char*), width, left); break;
        case 'c': put(static_cast<char>(va_arg(args, int))); break;
        case 'd': {
            long long v = longs ? va_arg(args, long long) : va_arg(args, int);
            if (v < 0) put('-');
            put_number(put, v < 0 ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v), 10,
                       width, pad);
            break;
        }
        case 'u': put_number(put, longs ? va_arg(args, unsigned long long) : va_arg(args, unsigned), 10, width, pad); break;
        case 'x': put_number(put, longs ? va_arg(args, unsigned long long) : va_arg(args, unsigned), 16, width, pad); break;
        case 'p':
            put('0'), put('x');
            put_number(put, reinterpret_cast<unsigned long long>(va_arg(args, void*)), 16, 0, ' ');
            break;
        case '%': put('%'); break;
        case 0: put('%'); return;  // a format that ends in '%'
        default: put('%'), put(*f);
        }
    }
}

} // namespace freestanding
