#include "cocoon/exit_status.h"
#include "cocoon/platform.h"
#include "cocoon/pvh.h"
#include "kernel/arch/console.h"
#include "kernel/arch/x86.h"

using namespace kernel;

extern "C" [[noreturn]] void kmain(uint64_t start_info_phys) {
    console_init();
    kprintf("[kernel] cocoon kernel booting, start_info at %lx\n", start_info_phys);
    x86::outl(cocoon::platform::exit_port, cocoon::guest_status::all_ok);
    x86::halt_forever();
}
