// kmain: from the PVH boot information to the first process.
#include "cocoon/exit_status.h"
#include "cocoon/platform.h"
#include "cocoon/pvh.h"
#include "cocoon/syscalls.h"
#include "cocoon/system_info.h"
#include "cocoon/trace.h"
#include "kernel/arch/console.h"
#include "kernel/arch/cpu.h"
#include "kernel/arch/kernel_image.h"
#include "kernel/arch/timer.h"
#include "kernel/arch/x86.h"
#include "kernel/drivers/virtio_blk.h"
#include "kernel/kmem.h"
#include "kernel/lib/string.h"
#include "kernel/proc/paging.h"
#include "kernel/proc/process.h"
#include "kernel/proc/ustar.h"
#include "kernel/trace.h"
#include "kernel/tty/console.h"

using namespace kernel;

extern "C" uint64_t boot_pml4[512];
extern "C" char kernel_end[];
extern "C" void (*init_array_start[])();
extern "C" void (*init_array_end[])();

namespace {

[[noreturn]] void boot_failed(const char* why) {
    kprintf("[kernel] boot failed: %s\n", why);
    x86::outl(cocoon::platform::exit_port, cocoon::guest_status::boot_failed);
    x86::halt_forever();
}

// The value of `key=` in the command line, copied into `out`; false if absent.
bool cmdline_value(const char* cmdline, const char* key, char* out, size_t size) {
    size_t key_length = strlen(key);
    for (const char* p = cmdline; *p;) {
        while (*p == ' ') ++p;
        if (strncmp(p, key, key_length) == 0 && p[key_length] == '=') {
            p += key_length + 1;
            size_t n = 0;
            while (*p && *p != ' ' && n + 1 < size) out[n++] = *p++;
            out[n] = 0;
            return true;
        }
        while (*p && *p != ' ') ++p;
    }
    return false;
}

uint32_t parse_uint(const char* s) {
    uint32_t v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10 + static_cast<uint32_t>(*s++ - '0');
    return v;
}

void add_ram(uint64_t start, uint64_t end, uint64_t kernel_phys_end, uint64_t module_start, uint64_t module_end) {
    // Leave out the kernel image and the module; keep within the direct map.
    const uint64_t holes[2][2] = {{0, kernel_phys_end}, {module_start, module_end}};
    if (end > layout::direct_map_size) end = layout::direct_map_size;
    for (uint64_t at = start; at < end;) {
        uint64_t stop = end;
        bool skipped = false;
        for (auto& h : holes) {
            if (h[0] == h[1]) continue;
            if (at >= h[0] && at < h[1]) {
                at = h[1];
                skipped = true;
                break;
            }
            if (h[0] > at && h[0] < stop) stop = h[0];
        }
        if (skipped) continue;
        frames().add_range(at, stop);
        at = stop;
    }
}

// The demo, when the command line names no init=: each goal of virtual memory shown.
// Each protection program is there to be killed, with its own reason: the run succeeds
// when every program ends as it should.
const char demo_programs[] =
    "transparency,transparency,spin,spin,spin,heapgrow,recurse,hello,nullderef!null,writecode!readonly,execdata!nx,"
    "execstack!nx,kernelread!kernel,stackoverflow!guard,privileged!gp,divzero!divide,badopcode!opcode";

void strcpy_bounded(char* out, const char* in, size_t size) {
    size_t n = 0;
    for (; in[n] && n + 1 < size; ++n) out[n] = in[n];
    out[n] = 0;
}

// Room for a program archive read from disk: the kernel keeps it whole, as it keeps a
// PVH module, so that spawn finds programs the same way from either.
constexpr uint64_t disk_archive_max = 4 << 20;
alignas(4096) uint8_t disk_archive[disk_archive_max];

// The archive on disk 0, when its first sector is a ustar header. Its size is the
// disk's (tar pads to whole blocks); nullptr when there is none or it cannot be read.
const uint8_t* archive_from_disk(uint64_t* size) {
    if (drivers::block_device_count() == 0) return nullptr;
    uint64_t bytes = drivers::block_info(0).sectors * 512;
    auto first = drivers::block_read(0, 0, disk_archive, 512);
    if (!first.ok() || memcmp(disk_archive + 257, "ustar", 5) != 0) return nullptr;
    if (bytes > disk_archive_max) {
        kprintf("[kernel] disk 0 holds an archive of %lu KiB, more than the %lu KiB the kernel keeps\n", bytes >> 10,
                disk_archive_max >> 10);
        return nullptr;
    }
    constexpr uint32_t chunk = 64 << 10;
    for (uint64_t at = 0; at < bytes; at += chunk) {
        uint32_t n = bytes - at < chunk ? static_cast<uint32_t>(bytes - at) : chunk;
        if (!drivers::block_read(0, at / 512, disk_archive + at, n).ok()) {
            kprintf("[kernel] reading the program archive from disk 0 failed at byte %lu\n", at);
            return nullptr;
        }
    }
    *size = bytes;
    return disk_archive;
}

// The time slice from quantum_ms= (default 10 ms), within what sys::set_quantum allows.
uint32_t quantum_from(const char* cmdline) {
    char value[16];
    if (!cmdline_value(cmdline, "quantum_ms", value, sizeof value)) return 10;
    uint32_t ms = parse_uint(value);
    if (ms == 0 || ms > cocoon::sys::max_quantum_ms) boot_failed("quantum_ms= must be 1 to 1000");
    return ms;
}

// The scheduler from sched= (default rr).
cocoon::sys::Scheduler scheduler_from(const char* cmdline) {
    char value[16];
    if (!cmdline_value(cmdline, "sched", value, sizeof value)) return cocoon::sys::scheduler_round_robin;
    const cocoon::sys::Scheduler known[] = {cocoon::sys::scheduler_round_robin, cocoon::sys::scheduler_waker};
    for (auto s : known)
        if (strcmp(value, cocoon::sys::scheduler_name(s)) == 0) return s;
    boot_failed("sched= names no scheduler (rr, waker)");
}

// A kill reason's word (cocoon/trace.h), or 0.
uint32_t kill_reason_named(const char* word) {
    for (uint32_t reason = 1; *cocoon::trace::kill_reason_word(reason); ++reason)
        if (strcmp(cocoon::trace::kill_reason_word(reason), word) == 0) return reason;
    return 0;
}

// One init= entry, "name", "name:arg:arg" or either with "!word": the colons become the
// spaces of the program's arguments (the command line itself is split at spaces), and
// the word names the kill the program is there to show. A program that cannot be
// started fails the run.
void spawn_or_report(char* entry) {
    uint32_t expected_kill = 0;
    for (char* mark = entry; *mark; ++mark) {
        if (*mark != '!') continue;
        *mark = 0;
        expected_kill = kill_reason_named(mark + 1);
        if (!expected_kill) {
            kprintf("[kernel] cannot start %s: '%s' names no kill reason\n", entry, mark + 1);
            proc::note_start_failed();
            return;
        }
        break;
    }
    char* args = entry;
    while (*args && *args != ':') ++args;
    if (*args) *args++ = 0;
    for (char* p = args; *p; ++p)
        if (*p == ':') *p = ' ';
    auto pid = proc::spawn(entry, 0, args);
    if (pid.ok()) {
        if (expected_kill) proc::expect_kill(pid.value(), expected_kill);
        return;
    }
    proc::note_start_failed();
    if (pid.error() == cocoon::sys::enoent) {
        static char programs[1024];
        proc::list_programs(programs, sizeof programs);
        kprintf("[kernel] cannot start %s: no such program (error %ld); the archive holds: %s\n", entry, pid.error(),
                programs);
    } else {
        kprintf("[kernel] cannot start %s: error %ld\n", entry, pid.error());
    }
}

} // namespace

extern "C" [[noreturn]] void kmain(uint64_t start_info_phys) {
    for (auto* constructor = init_array_start; constructor != init_array_end; ++constructor) (*constructor)();
    console_init();
    auto* info = static_cast<cocoon::pvh::StartInfo*>(phys_to_virt(start_info_phys));
    if (info->magic != cocoon::pvh::start_magic) boot_failed("no PVH start info");
    const char* cmdline = info->cmdline_paddr ? static_cast<const char*>(phys_to_virt(info->cmdline_paddr)) : "";
    kprintf("[kernel] cocoon kernel, command line '%s'\n", cmdline);

    const uint8_t* archive = nullptr;
    uint64_t archive_size = 0, module_start = 0, module_end = 0;
    if (info->nr_modules >= 1) {
        auto* module = static_cast<cocoon::pvh::ModlistEntry*>(phys_to_virt(info->modlist_paddr));
        module_start = module->paddr & ~0xfffull;
        module_end = module->paddr + module->size;
        archive = static_cast<const uint8_t*>(phys_to_virt(module->paddr));
        archive_size = module->size;
    }
    uint64_t kernel_phys_end = reinterpret_cast<uint64_t>(kernel_end) - layout::kernel_base;
    auto* map = static_cast<cocoon::pvh::MemmapEntry*>(phys_to_virt(info->memmap_paddr));
    for (uint32_t i = 0; i < info->memmap_entries && i < 128; ++i)
        if (map[i].type == cocoon::pvh::memmap_ram)
            add_ram(map[i].addr, map[i].addr + map[i].size, kernel_phys_end, module_start, module_end);
    if (frames().free_count() < 64) boot_failed("too little memory");

    boot_pml4[0] = 0;  // the identity map was only for the jump to the upper half
    x86::write_cr3(kernel_root());
    protect_kernel_image();
    char value[512];
    // pcid=off: the kernel runs as on a CPU without PCID (every switch flushes the TLB).
    cpu::init(!(cmdline_value(cmdline, "pcid", value, sizeof value) && strcmp(value, "off") == 0));
#ifdef COCOON_KERNEL_SELFTEST
    if (cmdline_value(cmdline, "selftest", value, sizeof value)) kernel_image_selftest(value);
#endif
    trace::init();
    trace::frames(frames().total_count(), frames().free_count());
    kprintf("[kernel] %lu KiB of free memory, SMEP %s, SMAP %s, PCID %s, trace %s\n", frames().free_count() * 4,
            cpu::features().smep ? "on" : "off", cpu::features().smap ? "on" : "off",
            cpu::features().pcid ? "on" : "off", trace::enabled() ? "on" : "off");
    timer::init();
    timer::calibrate_tsc();
    tty::init();
    drivers::probe_block_devices(cmdline);
    if (cmdline_value(cmdline, "swap", value, sizeof value)) proc::init_swap(static_cast<int>(parse_uint(value)));
    uint64_t disk_archive_size = 0;
    if (const uint8_t* from_disk = archive_from_disk(&disk_archive_size)) {
        archive = from_disk;
        archive_size = disk_archive_size;
        kprintf("[kernel] programs from disk 0 (%lu KiB)\n", archive_size >> 10);
    } else if (archive) {
        kprintf("[kernel] programs from the PVH module (%lu KiB)\n", archive_size >> 10);
    } else {
        boot_failed("no program archive (neither a ustar disk 0 nor a PVH module)");
    }

    // What is free once the kernel has taken its own (the disks' rings): every
    // process's frames and slots come back to this.
    trace::frames(frames().total_count(), frames().free_count(), proc::swap_slots_total(), proc::swap_slots_used());

    proc::init(archive, archive_size, quantum_from(cmdline), scheduler_from(cmdline));
    if (!cmdline_value(cmdline, "init", value, sizeof value)) strcpy_bounded(value, demo_programs, sizeof value);
    {
        for (char* name = value; *name;) {
            char* end = name;
            while (*end && *end != ',') ++end;
            bool last = *end == 0;
            *end = 0;
            spawn_or_report(name);
            name = last ? end : end + 1;
        }
    }
    proc::run_scheduler();
}
