// Reading a ustar archive (the program archive, made with `tar --format=ustar`):
// find a regular file by name. Every header field is checked against the archive.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace kernel::proc {

struct ArchiveFile {
    const uint8_t* data;
    uint64_t size;
};

// The longest name a header holds: its prefix field (155), "/" and its name field
// (100), neither of which need be NUL-terminated.
inline constexpr size_t ustar_name_max = 155 + 1 + 100;

// The file named `name` (with or without a leading "./"), or data == nullptr.
ArchiveFile ustar_find(const uint8_t* archive, uint64_t archive_size, const char* name);

// Calls visit(name) for each regular file, in archive order.
template <typename Visit>
void ustar_for_each(const uint8_t* archive, uint64_t archive_size, Visit visit);

// One header: name (NUL-terminated copy), size, offset of data. False at the end or
// on a malformed header.
bool ustar_header(const uint8_t* archive, uint64_t archive_size, uint64_t offset, char name[ustar_name_max + 1],
                  uint64_t* size, bool* regular);

template <typename Visit>
void ustar_for_each(const uint8_t* archive, uint64_t archive_size, Visit visit) {
    char name[ustar_name_max + 1];
    uint64_t size = 0;
    bool regular = false;
    for (uint64_t offset = 0; ustar_header(archive, archive_size, offset, name, &size, &regular);
         offset += 512 + ((size + 511) & ~uint64_t{511})) {
        if (regular) visit(name);
    }
}

} // namespace kernel::proc
