// printf for programs: formats into a buffer, one write() per call so that lines from
// different processes do not interleave mid-line.
#include "cocoon.h"
#include "freestanding/format.h"

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

} // namespace

extern "C" int vsnprintf(char* buffer, size_t size, const char* format, va_list args) {
    Out out{buffer, size};
    auto put = [&out](char c) { out.put(c); };
    freestanding::format(put, format, args);
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
