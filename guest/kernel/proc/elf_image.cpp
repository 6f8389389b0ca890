#include "kernel/proc/elf_image.h"

#include "cocoon/syscalls.h"
#include "kernel/layout.h"
#include "kernel/lib/string.h"

namespace kernel::proc {
namespace {

struct Ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
constexpr uint32_t pt_load = 1, pf_x = 1, pf_w = 2;

Error invalid() { return Error{cocoon::sys::einval}; }

uint64_t first_page(const Segment& s) { return s.vaddr / layout::page_size; }
uint64_t last_page(const Segment& s) { return (s.vaddr + s.memsz - 1) / layout::page_size; }

} // namespace

ErrorOr<ElfImage> parse_elf(const uint8_t* file, uint64_t size) {
    Ehdr eh;
    if (size < sizeof eh) return invalid();
    memcpy(&eh, file, sizeof eh);
    if (memcmp(eh.ident, "\x7f" "ELF", 4) != 0 || eh.ident[4] != 2 || eh.ident[5] != 1) return invalid();
    if (eh.type != 2 || eh.machine != 62 || eh.phentsize != sizeof(Phdr)) return invalid();
    if (eh.phoff > size || uint64_t{eh.phnum} * sizeof(Phdr) > size - eh.phoff) return invalid();

    ElfImage image{};
    image.entry = eh.entry;
    bool entry_ok = false;
    for (int i = 0; i < eh.phnum; ++i) {
        Phdr ph;
        memcpy(&ph, file + eh.phoff + i * sizeof(Phdr), sizeof ph);
        if (ph.type != pt_load || ph.memsz == 0) continue;
        if (image.count == max_segments) return invalid();
        if (ph.filesz > ph.memsz || ph.offset > size || ph.filesz > size - ph.offset) return invalid();
        // Above page 0, below the stack's guard gap (which must stay unmapped for a stack
        // overflow to be caught).
        if (ph.vaddr < layout::page_size || ph.vaddr >= layout::user_guard_lowest ||
            ph.memsz > layout::user_guard_lowest - ph.vaddr)
            return invalid();
        bool exec = ph.flags & pf_x, write = ph.flags & pf_w;
        if (exec && write) return invalid();  // W^X
        Segment segment{ph.vaddr, ph.memsz, file + ph.offset, ph.filesz, write, exec};
        // A page has one set of rights: segments may not share one, let alone overlap.
        for (int j = 0; j < image.count; ++j)
            if (first_page(segment) <= last_page(image.segments[j]) && first_page(image.segments[j]) <= last_page(segment))
                return invalid();
        image.segments[image.count++] = segment;
        image.pages += last_page(segment) - first_page(segment) + 1;
        if (ph.vaddr + ph.memsz > image.end) image.end = ph.vaddr + ph.memsz;
        if (exec && eh.entry >= ph.vaddr && eh.entry < ph.vaddr + ph.memsz) entry_ok = true;
    }
    if (image.count == 0 || !entry_ok) return invalid();
    return image;
}

} // namespace kernel::proc
