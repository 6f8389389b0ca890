// printf for programs: formats into a buffer, one write() per call so that lines from
// different processes do not interleave mid-line.
#include "cocoon.h"

namespace {

struct Out {
    char* buffer;
    size_t size;
    size_t length = 0;
    void put(char c) {
        if (length + 1 < size) buffer[length] = c;
        ++length;
    }
};

void put_number(Out& out, unsigned long long value, unsigned base, int width, char pad) {
    char digits[32];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value);
    while (n < width) digits[n++] = pad;
    while (n) out.put(digits[--n]);
}

} // namespace

extern "C" int vsnprintf(char* buffer, size_t size, const char* f, va_list args) {
    Out out{buffer, size};
    for (; *f; ++f) {
        if (*f != '%') {
            out.put(*f);
            continue;
        }
        ++f;
        char pad = ' ';
        int width = 0;
        if (*f == '0') pad = '0', ++f;
        while (*f >= '0' && *f <= '9') width = width * 10 + (*f++ - '0');
        int longs = 0;
        while (*f == 'l') ++longs, ++f;
        switch (*f) {
        case 's':
            for (const char* s = va_arg(args, const char*); s && *s; ++s) out.put(*s);
            break;
        case 'c': out.put(static_cast<char>(va_arg(args, int))); break;
        case 'd': {
            long long v = longs ? va_arg(args, long long) : va_arg(args, int);
            if (v < 0) out.put('-'), v = -v;
            put_number(out, static_cast<unsigned long long>(v), 10, width, pad);
            break;
        }
        case 'u': put_number(out, longs ? va_arg(args, unsigned long long) : va_arg(args, unsigned), 10, width, pad); break;
        case 'x': put_number(out, longs ? va_arg(args, unsigned long long) : va_arg(args, unsigned), 16, width, pad); break;
        case 'p':
            out.put('0'), out.put('x');
            put_number(out, reinterpret_cast<unsigned long long>(va_arg(args, void*)), 16, 0, ' ');
            break;
        default: out.put(*f);
        }
    }
    if (size) buffer[out.length < size ? out.length : size - 1] = 0;
    return static_cast<int>(out.length);
}

extern "C" int snprintf(char* out, size_t size, const char* format, ...) {
    va_list args;
    va_start(args, format);
    int n = vsnprintf(out, size, format, args);
    va_end(args);
    return n;
}

extern "C" int printf(const char* format, ...) {
    char line[512];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    write(1, line, n < static_cast<int>(sizeof line) ? n : sizeof line - 1);
    return n;
}
