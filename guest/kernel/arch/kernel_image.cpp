#include "kernel/arch/kernel_image.h"

#include "cocoon/exit_status.h"
#include "cocoon/page_table.h"
#include "cocoon/platform.h"
#include "kernel/arch/console.h"
#include "kernel/arch/x86.h"
#include "kernel/kmem.h"
#include "kernel/layout.h"
#include "kernel/lib/string.h"

extern "C" uint64_t boot_pdpt_high[512];
extern "C" uint64_t boot_pd[4 * 512];
extern "C" char kernel_image_start[], kernel_text_start[], kernel_rodata_start[], kernel_data_start[], kernel_end[];

namespace kernel {
namespace {

namespace pte = cocoon::pte;
constexpr uint64_t huge_page = 2ull << 20;
constexpr uint64_t image_pdpt_index = 510;  // 0xffffffff80000000: the last PDPT's 510th GiB

uint64_t phys(const char* symbol) { return reinterpret_cast<uint64_t>(symbol) - layout::kernel_base; }

// A page of the image by the section it holds; 0 for none.
uint64_t rights_of(uint64_t page) {
    if (page < phys(kernel_image_start) || page >= phys(kernel_end)) return 0;
    if (page < phys(kernel_text_start)) return pte::present | pte::no_execute;  // the 32-bit boot code, done
    if (page < phys(kernel_rodata_start)) return pte::present;                  // text: r-x
    if (page < phys(kernel_data_start)) return pte::present | pte::no_execute;  // rodata: r--
    return pte::present | pte::writable | pte::no_execute;                      // data, bss: rw-
}

// The image's own tables, in its bss rather than from the frame allocator: every frame
// the allocator hands out comes back when the processes end. Eight tables cover an
// image of up to 16 MiB.
constexpr uint64_t max_tables = 8;
alignas(4096) uint64_t image_directory[512];
alignas(4096) uint64_t image_tables[max_tables][512];

} // namespace

void protect_kernel_image() {
    // A directory of its own for the image's window (the boot tables share theirs with
    // the direct map), with a 4 KiB table for each 2 MiB the image touches.
    uint64_t first = phys(kernel_image_start) & ~(huge_page - 1);
    if (phys(kernel_end) - first > max_tables * huge_page) {
        kprintf("[kernel] boot failed: the image (%lu KiB) outgrows its page tables\n", (phys(kernel_end) - first) >> 10);
        x86::outl(cocoon::platform::exit_port, cocoon::guest_status::boot_failed);
        x86::halt_forever();
    }
    for (uint64_t region = first, t = 0; region < phys(kernel_end); region += huge_page, ++t) {
        for (uint64_t i = 0; i < 512; ++i)
            if (uint64_t rights = rights_of(region + i * layout::page_size))
                image_tables[t][i] = (region + i * layout::page_size) | rights;
        image_directory[region / huge_page] = virt_to_phys(image_tables[t]) | pte::present | pte::writable;
    }
    boot_pdpt_high[image_pdpt_index] = virt_to_phys(image_directory) | pte::present | pte::writable;
    // The direct map: data only (the image's pages are reached through it too, writable).
    for (uint64_t& entry : boot_pd) entry |= pte::no_execute;
    x86::write_cr3(x86::read_cr3());
}

#ifdef COCOON_KERNEL_SELFTEST
void kernel_image_selftest(const char* what) {
    static const uint8_t ret_in_rodata[] = {0xc3};
    static uint8_t ret_in_data[] = {0xc3};
    kprintf("[kernel] selftest %s\n", what);
    if (strcmp(what, "write-text") == 0) {
        *reinterpret_cast<volatile uint8_t*>(reinterpret_cast<uintptr_t>(&protect_kernel_image)) = 0xcc;
    } else if (strcmp(what, "write-rodata") == 0) {
        *const_cast<volatile uint8_t*>(ret_in_rodata) = 0x90;
    } else if (strcmp(what, "exec-data") == 0) {
        reinterpret_cast<void (*)()>(reinterpret_cast<uintptr_t>(ret_in_data))();
    }
    kprintf("[kernel] selftest %s: no fault\n", what);
}
#endif

} // namespace kernel
