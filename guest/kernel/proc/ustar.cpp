#include "kernel/proc/ustar.h"

#include "kernel/lib/string.h"

namespace kernel::proc {
namespace {

bool parse_octal(const uint8_t* field, int length, uint64_t* out) {
    uint64_t value = 0;
    int i = 0;
    while (i < length && field[i] == ' ') ++i;
    int digits = 0;
    for (; i < length && field[i] >= '0' && field[i] <= '7'; ++i, ++digits) {
        if (value >> 60) return false;  // would overflow
        value = value * 8 + (field[i] - '0');
    }
    if (digits == 0) return false;
    *out = value;
    return true;
}

const char* strip_dot_slash(const char* name) { return (name[0] == '.' && name[1] == '/') ? name + 2 : name; }

} // namespace

bool ustar_header(const uint8_t* archive, uint64_t archive_size, uint64_t offset, char name[ustar_name_max + 1],
                  uint64_t* size, bool* regular) {
    if (offset > archive_size || archive_size - offset < 512) return false;
    const uint8_t* h = archive + offset;
    if (h[0] == 0) return false;                       // the end-of-archive block
    if (memcmp(h + 257, "ustar", 5) != 0) return false;
    if (!parse_octal(h + 124, 12, size)) return false;
    if (*size > archive_size - offset - 512) return false;  // data runs past the archive
    // name = prefix "/" name, each field possibly unterminated.
    size_t n = 0;
    for (int i = 0; i < 155 && h[345 + i]; ++i) name[n++] = static_cast<char>(h[345 + i]);
    if (n) name[n++] = '/';
    for (int i = 0; i < 100 && h[i]; ++i) name[n++] = static_cast<char>(h[i]);
    name[n] = 0;
    *regular = h[156] == '0' || h[156] == 0;
    return true;
}

ArchiveFile ustar_find(const uint8_t* archive, uint64_t archive_size, const char* wanted) {
    char name[ustar_name_max + 1];
    uint64_t size = 0;
    bool regular = false;
    wanted = strip_dot_slash(wanted);
    for (uint64_t offset = 0; ustar_header(archive, archive_size, offset, name, &size, &regular);
         offset += 512 + ((size + 511) & ~uint64_t{511})) {
        if (regular && strcmp(strip_dot_slash(name), wanted) == 0) return {archive + offset + 512, size};
    }
    return {nullptr, 0};
}

} // namespace kernel::proc
