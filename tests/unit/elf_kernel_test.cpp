// Loading PVH kernels: a valid one, and each way a file can be malformed.
#include "vmm/boot/elf_kernel.h"
#include "vmm/boot/pvh_boot.h"

#include <elf.h>

#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "cocoon/pvh.h"
#include "vmm/error.h"

using namespace cocoon::vmm;

namespace {

constexpr uint64_t ram = 16 << 20;

// A minimal PVH kernel: ELF header, a PT_LOAD of 0x100 bytes at 1 MiB with 0x1000 of
// memory, and a PT_NOTE holding Xen's PHYS32_ENTRY note.
struct ElfBuilder {
    Elf64_Ehdr eh{};
    Elf64_Phdr load{}, note{};
    std::vector<uint8_t> note_bytes;
    std::vector<uint8_t> body = std::vector<uint8_t>(0x100, 0xcc);

    ElfBuilder() {
        std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
        eh.e_ident[EI_CLASS] = ELFCLASS64;
        eh.e_ident[EI_DATA] = ELFDATA2LSB;
        eh.e_ident[EI_VERSION] = EV_CURRENT;
        eh.e_type = ET_EXEC;
        eh.e_machine = EM_X86_64;
        eh.e_phoff = sizeof(Elf64_Ehdr);
        eh.e_phentsize = sizeof(Elf64_Phdr);
        eh.e_phnum = 2;
        load.p_type = PT_LOAD;
        load.p_paddr = 0x100000;
        load.p_filesz = body.size();
        load.p_memsz = 0x1000;
        note.p_type = PT_NOTE;
        set_note(4, 0x100010);
    }
    void set_note(uint32_t descsz, uint64_t entry) {
        Elf64_Nhdr n{4, descsz, cocoon::pvh::elfnote_phys32_entry};
        note_bytes.assign(reinterpret_cast<uint8_t*>(&n), reinterpret_cast<uint8_t*>(&n) + sizeof n);
        for (char c : std::string("Xen", 4)) note_bytes.push_back(static_cast<uint8_t>(c));
        for (uint32_t i = 0; i < descsz; ++i) note_bytes.push_back(static_cast<uint8_t>(entry >> (8 * i)));
        while (note_bytes.size() % 4) note_bytes.push_back(0);
    }
    std::vector<uint8_t> build() {
        uint64_t headers = sizeof eh + 2 * sizeof(Elf64_Phdr);
        note.p_offset = headers;
        note.p_filesz = note_bytes.size();
        if (load.p_offset == 0) load.p_offset = headers + note_bytes.size();
        std::vector<uint8_t> out(reinterpret_cast<uint8_t*>(&eh), reinterpret_cast<uint8_t*>(&eh) + sizeof eh);
        out.insert(out.end(), reinterpret_cast<uint8_t*>(&load), reinterpret_cast<uint8_t*>(&load) + sizeof load);
        out.insert(out.end(), reinterpret_cast<uint8_t*>(&note), reinterpret_cast<uint8_t*>(&note) + sizeof note);
        out.insert(out.end(), note_bytes.begin(), note_bytes.end());
        out.insert(out.end(), body.begin(), body.end());
        return out;
    }
};

std::string refusal(const std::vector<uint8_t>& file) {
    try {
        parse_kernel(file, ram);
    } catch (const SetupError& e) {
        EXPECT_EQ(e.status(), 65);
        return e.what();
    }
    return "accepted";
}

TEST(ElfKernel, ValidKernelLoadsAndZeroesBss) {
    ElfBuilder b;
    auto file = b.build();
    KernelImage image = parse_kernel(file, ram);
    EXPECT_EQ(image.entry, 0x100010u);
    ASSERT_EQ(image.segments.size(), 1u);
    EXPECT_EQ(image.lowest, 0x100000u);
    EXPECT_EQ(image.end, 0x101000u);
    GuestMemory memory(ram);
    memory.write<uint8_t>(0x100200, 0x55);  // bss must come out zero
    load_kernel(image, memory);
    EXPECT_EQ(memory.read<uint8_t>(0x100000), 0xcc);
    EXPECT_EQ(memory.read<uint8_t>(0x1000ff), 0xcc);
    EXPECT_EQ(memory.read<uint8_t>(0x100200), 0);
}

TEST(ElfKernel, EightBytePvhNoteIsAccepted) {
    ElfBuilder b;
    b.set_note(8, 0x100020);
    EXPECT_EQ(parse_kernel(b.build(), ram).entry, 0x100020u);
}

TEST(ElfKernel, MalformedFilesAreRefusedWithWhatAndWhere) {
    EXPECT_NE(refusal({'h', 'i'}).find("truncated: ELF header"), std::string::npos);
    auto not_elf = ElfBuilder().build();
    not_elf[1] = 'X';
    EXPECT_NE(refusal(not_elf).find("not an ELF file"), std::string::npos);

    ElfBuilder wrong_class;
    wrong_class.eh.e_ident[EI_CLASS] = ELFCLASS32;
    EXPECT_NE(refusal(wrong_class.build()).find("ELF class 1 is not ELFCLASS64"), std::string::npos);

    ElfBuilder wrong_machine;
    wrong_machine.eh.e_machine = EM_AARCH64;
    EXPECT_NE(refusal(wrong_machine.build()).find("is not x86-64"), std::string::npos);

    ElfBuilder truncated_headers;
    auto file = truncated_headers.build();
    file.resize(sizeof(Elf64_Ehdr) + 10);
    EXPECT_NE(refusal(file).find("program headers at offset 0x40 run past the end"), std::string::npos);

    ElfBuilder truncated_segment;
    truncated_segment.load.p_filesz = 0x10000;
    truncated_segment.load.p_memsz = 0x10000;
    EXPECT_NE(refusal(truncated_segment.build()).find("segment 0 (0x10000 bytes at offset"), std::string::npos);

    ElfBuilder outside_ram;
    outside_ram.load.p_paddr = ram - 0x800;
    EXPECT_NE(refusal(outside_ram.build()).find("lies outside the guest's"), std::string::npos);

    ElfBuilder overlapping_boot;
    overlapping_boot.load.p_paddr = 0x7000;
    EXPECT_NE(refusal(overlapping_boot.build()).find("overlaps the boot structures"), std::string::npos);

    ElfBuilder wrapping;
    wrapping.load.p_paddr = UINT64_MAX - 0x10;
    EXPECT_NE(refusal(wrapping.build()).find("lies outside"), std::string::npos);

    ElfBuilder no_note;
    no_note.note.p_type = PT_NULL;
    EXPECT_NE(refusal(no_note.build()).find("no PVH entry note"), std::string::npos);

    ElfBuilder bad_note;
    bad_note.set_note(2, 0);
    EXPECT_NE(refusal(bad_note.build()).find("2-byte value"), std::string::npos);

    ElfBuilder entry_outside;
    entry_outside.set_note(4, 0x200000);
    EXPECT_NE(refusal(entry_outside.build()).find("PVH entry 0x200000 lies outside"), std::string::npos);

    ElfBuilder bss_smaller;
    bss_smaller.load.p_memsz = 0x10;
    EXPECT_NE(refusal(bss_smaller.build()).find("above its memory size"), std::string::npos);
}

TEST(PvhBoot, StartInfoCarriesMemoryMapCommandLineAndModule) {
    ElfBuilder b;
    auto file = b.build();
    KernelImage image = parse_kernel(file, ram);
    GuestMemory memory(ram);
    std::vector<uint8_t> archive(5000, 0xab);
    auto placed = write_pvh_boot_info(memory, image, "init=hello quantum_ms=5", BootModule{archive, "programs.tar"}, {});
    auto info = memory.read<cocoon::pvh::StartInfo>(placed.start_info);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->magic, cocoon::pvh::start_magic);
    EXPECT_EQ(info->version, 1u);
    EXPECT_EQ(info->nr_modules, 1u);
    auto cmdline = memory.span(info->cmdline_paddr, 24);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(cmdline->data())), "init=hello quantum_ms=5");
    auto module = memory.read<cocoon::pvh::ModlistEntry>(info->modlist_paddr);
    EXPECT_EQ(module->size, 5000u);
    EXPECT_EQ(module->paddr, ram - 0x2000);
    EXPECT_EQ(memory.read<uint8_t>(module->paddr + 4999), 0xab);
    // As on a PC: RAM below 640 KiB (Linux's real-mode trampoline needs some), the
    // legacy hole reserved, RAM from 1 MiB; in order, without gaps.
    ASSERT_EQ(info->memmap_entries, 3u);
    auto entry = [&](int i) {
        return *memory.read<cocoon::pvh::MemmapEntry>(info->memmap_paddr + i * sizeof(cocoon::pvh::MemmapEntry));
    };
    EXPECT_EQ(entry(0).type, cocoon::pvh::memmap_ram);
    EXPECT_EQ(entry(0).addr, 0u);
    EXPECT_EQ(entry(0).size, 0x9fc00u);
    EXPECT_EQ(entry(1).type, cocoon::pvh::memmap_reserved);
    EXPECT_EQ(entry(1).addr, 0x9fc00u);
    EXPECT_EQ(entry(2).type, cocoon::pvh::memmap_ram);
    EXPECT_EQ(entry(2).addr, 0x100000u);
    EXPECT_EQ(entry(1).addr + entry(1).size, entry(2).addr);
    EXPECT_EQ(entry(2).addr + entry(2).size, ram);
}

TEST(PvhBoot, ModuleThatDoesNotFitAndOverlongCommandLineAreRefused) {
    ElfBuilder b;
    auto file = b.build();
    KernelImage image = parse_kernel(file, ram);
    GuestMemory memory(ram);
    std::vector<uint8_t> huge(ram, 0);
    EXPECT_THROW(write_pvh_boot_info(memory, image, "", BootModule{huge, "x"}, {}), SetupError);
    EXPECT_THROW(write_pvh_boot_info(memory, image, std::string(5000, 'a'), std::nullopt, {}), SetupError);
}

} // namespace
