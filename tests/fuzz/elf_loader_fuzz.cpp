// The PVH kernel loader on a kernel file the fuzzer writes: parse_kernel reads the ELF
// header, the program headers and the PHYS32_ENTRY note; load_kernel copies the
// segments into an 8 MiB guest (the size the real kernel, bss included, needs); then
// write_pvh_boot_info places start_info, the memory map, a command line and a module
// above the kernel.
//
// Must hold: the file is either loaded or refused with SetupError(bad_input) and a
// message saying what ("kernel: ..." for the ELF itself), never anything else; nothing
// outside guest RAM is touched (RAM is fenced); a loaded image keeps its promises
// (every segment inside RAM at or above 1 MiB, the entry inside the segments) and the
// loader leaves the boot structures' low megabyte alone; the module lands above the
// kernel and inside RAM.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "fenced_memory.h"
#include "vmm/boot/elf_kernel.h"
#include "vmm/boot/pvh_boot.h"
#include "vmm/error.h"
#include "vmm/exit_status.h"

using namespace cocoon::vmm;

namespace {

constexpr uint64_t ram_size = 8 << 20;

void check(bool holds, const char* what) {
    if (holds) return;
    std::fprintf(stderr, "elf_loader_fuzz: %s\n", what);
    std::abort();
}

void check_refusal(const SetupError& e, const char* prefix) {
    check(e.status() == cocoon::vmm::exit_status::bad_input, "refused with a status other than bad_input");
    check(std::strncmp(e.what(), prefix, std::strlen(prefix)) == 0 && std::strlen(e.what()) > std::strlen(prefix),
          "refused without saying what");
}

bool all_zero(std::span<const uint8_t> bytes) {
    static const uint8_t zeros[4096] = {};
    for (size_t at = 0; at < bytes.size(); at += sizeof zeros)
        if (std::memcmp(bytes.data() + at, zeros, std::min(sizeof zeros, bytes.size() - at)) != 0) return false;
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static cocoon::fuzz::FencedMemory memory(ram_size);
    static const uint8_t module_bytes[5000] = {'m', 'o', 'd'};
    std::span<uint8_t> low = *memory->span(0, kernel_min_paddr);

    KernelImage image;
    try {
        image = parse_kernel(std::span(data, size), memory->size());
    } catch (const SetupError& e) {
        check_refusal(e, "kernel: ");
        return 0;
    }
    check(!image.segments.empty(), "an image without segments");
    for (const KernelSegment& s : image.segments) {
        check(s.paddr >= kernel_min_paddr, "a segment below 1 MiB");
        check(s.paddr <= ram_size && s.memsz <= ram_size - s.paddr, "a segment outside RAM");
        check(s.bytes.size() <= s.memsz, "a segment with more file bytes than memory");
        check(s.bytes.empty() || (s.bytes.data() >= data && s.bytes.data() + s.bytes.size() <= data + size),
              "segment bytes outside the file");
    }
    check(image.lowest <= image.entry && image.entry < image.end, "the entry outside the segments");

    load_kernel(image, *memory);
    check(all_zero(low), "the loader wrote below 1 MiB");
    try {
        PvhPlacement placement = write_pvh_boot_info(*memory, image, "init=fuzz quantum_ms=5",
                                                     BootModule{std::span(module_bytes), "programs.tar"}, {});
        check(placement.start_info == pvh_start_info_gpa, "start_info moved");
        check(placement.module_gpa >= image.end && placement.module_gpa + sizeof module_bytes <= ram_size,
              "the module overlaps the kernel or leaves RAM");
        check(std::memcmp(memory->span(placement.module_gpa, 3)->data(), "mod", 3) == 0, "the module was not copied");
    } catch (const SetupError& e) {
        check_refusal(e, "initrd of ");
    }
    // What the boot code wrote below 1 MiB (its structures, the ACPI tables) goes: the
    // next input's loader starts on a clean low megabyte.
    std::memset(low.data(), 0, low.size());
    return 0;
}
