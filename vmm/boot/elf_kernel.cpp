#include "vmm/boot/elf_kernel.h"

#include <elf.h>

#include <cstring>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "cocoon/pvh.h"
#include "vmm/error.h"
#include "vmm/exit_status.h"

namespace cocoon::vmm {
namespace {

[[noreturn]] void refuse(const std::string& what) {
    throw SetupError(exit_status::bad_input, "kernel: " + what);
}

// A bounds-checked view of the file.
class File {
public:
    explicit File(std::span<const uint8_t> bytes) : bytes_(bytes) {}

    bool contains(uint64_t offset, uint64_t size) const {
        return offset <= bytes_.size() && size <= bytes_.size() - offset;
    }

    template <typename T>
    T read(uint64_t offset, const char* what) const {
        if (!contains(offset, sizeof(T)))
            refuse(fmt::format("truncated: {} at offset {:#x} runs past the end of the {}-byte file", what,
                               offset, bytes_.size()));
        T value;
        std::memcpy(&value, bytes_.data() + offset, sizeof(T));
        return value;
    }

    std::span<const uint8_t> slice(uint64_t offset, uint64_t size) const { return bytes_.subspan(offset, size); }

private:
    std::span<const uint8_t> bytes_;
};

constexpr uint64_t align4(uint64_t n) { return (n + 3) & ~uint64_t{3}; }

// Looks through one PT_NOTE segment for Xen's PHYS32_ENTRY note.
std::optional<uint32_t> find_pvh_note(const File& file, uint64_t offset, uint64_t size, size_t index) {
    uint64_t at = offset, end = offset + size;
    while (at + sizeof(Elf64_Nhdr) <= end) {
        auto note = file.read<Elf64_Nhdr>(at, "note header");
        uint64_t name_at = at + sizeof(Elf64_Nhdr);
        uint64_t desc_at = name_at + align4(note.n_namesz);
        uint64_t next = desc_at + align4(note.n_descsz);
        if (next > end || !file.contains(desc_at, note.n_descsz))
            refuse(fmt::format("note in program header {} runs past its segment", index));
        auto name = file.slice(name_at, note.n_namesz);
        bool xen = note.n_namesz == 4 && std::memcmp(name.data(), "Xen", 4) == 0;
        if (xen && note.n_type == pvh::elfnote_phys32_entry) {
            if (note.n_descsz == 4) return file.read<uint32_t>(desc_at, "PVH entry");
            if (note.n_descsz == 8) {
                uint64_t entry = file.read<uint64_t>(desc_at, "PVH entry");
                if (entry > UINT32_MAX) refuse(fmt::format("PVH entry {:#x} is above 4 GiB", entry));
                return static_cast<uint32_t>(entry);
            }
            refuse(fmt::format("PVH entry note has a {}-byte value; expected 4 or 8", note.n_descsz));
        }
        at = next;
    }
    return std::nullopt;
}

void check_header(const Elf64_Ehdr& eh) {
    if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) refuse("not an ELF file (bad magic)");
    if (eh.e_ident[EI_CLASS] != ELFCLASS64)
        refuse(fmt::format("ELF class {} is not ELFCLASS64", eh.e_ident[EI_CLASS]));
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB) refuse("not little-endian");
    if (eh.e_machine != EM_X86_64) refuse(fmt::format("machine {} is not x86-64 ({})", eh.e_machine, EM_X86_64));
    if (eh.e_type != ET_EXEC) refuse(fmt::format("ELF type {} is not an executable", eh.e_type));
    if (eh.e_phnum == 0) refuse("no program headers");
    if (eh.e_phentsize != sizeof(Elf64_Phdr))
        refuse(fmt::format("program header size {} is not {}", eh.e_phentsize, sizeof(Elf64_Phdr)));
}

} // namespace

KernelImage parse_kernel(std::span<const uint8_t> elf, uint64_t ram_size) {
    File file(elf);
    auto eh = file.read<Elf64_Ehdr>(0, "ELF header");
    check_header(eh);
    if (!file.contains(eh.e_phoff, uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr)))
        refuse(fmt::format("truncated: {} program headers at offset {:#x} run past the end of the file",
                           eh.e_phnum, eh.e_phoff));

    KernelImage image;
    std::optional<uint32_t> entry;
    image.lowest = UINT64_MAX;
    for (size_t i = 0; i < eh.e_phnum; ++i) {
        auto ph = file.read<Elf64_Phdr>(eh.e_phoff + i * sizeof(Elf64_Phdr), "program header");
        if (ph.p_type == PT_NOTE && !entry) entry = find_pvh_note(file, ph.p_offset, ph.p_filesz, i);
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
        if (ph.p_filesz > ph.p_memsz)
            refuse(fmt::format("segment {} has file size {:#x} above its memory size {:#x}", i, ph.p_filesz,
                               ph.p_memsz));
        if (!file.contains(ph.p_offset, ph.p_filesz))
            refuse(fmt::format("truncated: segment {} ({:#x} bytes at offset {:#x}) runs past the end of the file",
                               i, ph.p_filesz, ph.p_offset));
        if (ph.p_paddr < kernel_min_paddr)
            refuse(fmt::format("segment {} at {:#x} overlaps the boot structures below {:#x}", i, ph.p_paddr,
                               kernel_min_paddr));
        if (ph.p_paddr > ram_size || ph.p_memsz > ram_size - ph.p_paddr)
            refuse(fmt::format("segment {} at {:#x}-{:#x} lies outside the guest's {:#x} bytes of RAM", i,
                               ph.p_paddr, ph.p_paddr + ph.p_memsz, ram_size));
        image.segments.push_back({ph.p_paddr, file.slice(ph.p_offset, ph.p_filesz), ph.p_memsz});
        image.lowest = std::min(image.lowest, ph.p_paddr);
        image.end = std::max(image.end, ph.p_paddr + ph.p_memsz);
    }
    if (image.segments.empty()) refuse("no loadable segments");
    if (!entry) refuse("no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): not a PVH kernel");
    if (*entry < image.lowest || *entry >= image.end)
        refuse(fmt::format("PVH entry {:#x} lies outside the loaded segments {:#x}-{:#x}", *entry, image.lowest,
                           image.end));
    image.entry = *entry;
    return image;
}

void load_kernel(const KernelImage& image, const GuestMemory& memory) {
    for (const KernelSegment& segment : image.segments) {
        auto target = memory.span(segment.paddr, segment.memsz);  // checked by parse_kernel
        if (!target) refuse(fmt::format("segment at {:#x} outside RAM", segment.paddr));
        std::memcpy(target->data(), segment.bytes.data(), segment.bytes.size());
        std::memset(target->data() + segment.bytes.size(), 0, segment.memsz - segment.bytes.size());
    }
}

} // namespace cocoon::vmm
