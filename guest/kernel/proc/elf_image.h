// Reading a user program's ELF: its entry and its PT_LOAD segments, each checked to lie
// inside the file, above page 0 and below the stack's guard gap, writable or executable
// but not both, and on pages of its own. The loader maps them.
#pragma once
#include <stdint.h>

#include "kernel/lib/result.h"

namespace kernel::proc {

struct Segment {
    uint64_t vaddr;
    uint64_t memsz;
    const uint8_t* data;  // filesz bytes in the file
    uint64_t filesz;
    bool writable;
    bool executable;
};

inline constexpr int max_segments = 8;

struct ElfImage {
    uint64_t entry;
    int count;
    Segment segments[max_segments];
    uint64_t end;    // one past the highest segment byte: where the heap may start
    uint64_t pages;  // the pages the segments cover: frames the loader will need
};

ErrorOr<ElfImage> parse_elf(const uint8_t* file, uint64_t size);

} // namespace kernel::proc
