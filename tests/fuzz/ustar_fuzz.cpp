// The kernel's reader of the program archive (guest/kernel/proc/ustar.*, its portable
// code built for the host) on an archive the fuzzer writes, as a user can through
// `--disk programs.tar`: looks up a few names, walks every entry with ustar_header and
// with ustar_for_each, and looks up again every name the walk met.
//
// Must hold: nothing is read outside the archive (the input is a heap block of its own
// size, so ASan sees a byte past it) nor written outside a name buffer; the walk ends,
// one entry per 512-byte block at most; every header's data lies inside the archive;
// a file found lies inside the archive and every byte of it can be read; every regular
// file the walk met is found by its name.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kernel/proc/ustar.h"

using namespace kernel::proc;

namespace {

void check(bool holds, const char* what) {
    if (holds) return;
    std::fprintf(stderr, "ustar_fuzz: %s\n", what);
    std::abort();
}

void check_found(ArchiveFile file, const uint8_t* archive, uint64_t size) {
    if (!file.data) return;
    check(file.data >= archive && file.size <= size && file.data - archive <= static_cast<ptrdiff_t>(size - file.size),
          "a file found outside the archive");
    uint8_t sum = 0;
    for (uint64_t i = 0; i < file.size; ++i) sum = static_cast<uint8_t>(sum + file.data[i]);
    volatile uint8_t sink = sum;
    (void)sink;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    for (const char* name : {"hello", "./spin", "init", "./", "", "transparency"})
        check_found(ustar_find(data, size, name), data, size);

    uint64_t entries = 0;
    char name[ustar_name_max + 1];
    uint64_t file_size = 0;
    bool regular = false;
    for (uint64_t offset = 0; ustar_header(data, size, offset, name, &file_size, &regular);
         offset += 512 + ((file_size + 511) & ~uint64_t{511})) {
        check(++entries <= size / 512, "more entries than blocks");
        check(file_size <= size - offset - 512, "an entry's data runs past the archive");
        check(std::strlen(name) <= ustar_name_max, "a name longer than prefix and name together");
    }

    std::vector<std::string> names;
    ustar_for_each(data, size, [&](const char* n) { names.emplace_back(n); });
    check(names.size() <= entries, "ustar_for_each met more files than the walk");
    for (const std::string& n : names) {
        ArchiveFile file = ustar_find(data, size, n.c_str());
        check(file.data != nullptr, "a file the walk met is not found by its name");
        check_found(file, data, size);
    }
    return 0;
}
