// Loading a program from the archive into a new process: its segments page by page,
// its arguments on its stack, its first switch into user mode.
#include "cocoon/syscalls.h"
#include "cocoon/trace.h"
#include "kernel/kmem.h"
#include "kernel/lib/string.h"
#include "kernel/proc/elf_image.h"
#include "kernel/proc/paging.h"
#include "kernel/proc/process_table.h"
#include "kernel/proc/ustar.h"
#include "kernel/trace.h"

extern "C" void first_return();

namespace kernel::proc {
namespace {

namespace pte = mm::pte;
using shared::page_down;
using shared::page_up;
using shared::table;

alignas(16) uint8_t kernel_stacks[max_processes][kernel_stack_size];
int next_pid = 1;
const uint8_t* archive = nullptr;
uint64_t archive_size = 0;

// Maps one segment page by page: code read-only + executable, everything else NX. The
// ELF reader made sure that no other segment touches its pages.
ErrorOr<void> load_segment(mm::AddressSpace& space, const Segment& s) {
    uint64_t flags = pte::user | (s.writable ? pte::writable : 0) | (s.executable ? 0 : pte::no_execute);
    for (uint64_t page = page_down(s.vaddr); page < s.vaddr + s.memsz; page += layout::page_size) {
        uint64_t frame = TRY(frames().allocate());
        auto* bytes = static_cast<uint8_t*>(phys_to_virt(frame));
        // The part of the file that lands in this page.
        uint64_t file_end = s.vaddr + s.filesz;
        for (uint64_t a = page < s.vaddr ? s.vaddr : page; a < page + layout::page_size && a < file_end; ++a)
            bytes[a - page] = s.data[a - s.vaddr];
        auto mapped = space.map(page, frame, flags);
        if (!mapped.ok()) {
            frames().free(frame);
            return mapped;
        }
    }
    return {};
}

// Whether a program needing `pages` (and their tables) can have them, from free frames
// or by swapping others out: asked before any frame is spent, so that a huge bss is
// refused at once rather than after zeroing all of RAM.
bool could_fit(uint64_t pages) {
    uint64_t tables = 3 + pages / 512 + 1;  // the first walk down, then a leaf table per 2 MiB
    return pages + tables <= frames().free_count() + (swap_slots_total() - swap_slots_used());
}

// The spawn arguments at the top of the new stack (its first page, mapped now), where
// the program looks for them.
ErrorOr<void> place_args(mm::AddressSpace& space, const char* args) {
    static_assert(cocoon::sys::args_address == layout::user_stack_top - cocoon::sys::max_args);
    uint64_t length = strlen(args) + 1;
    if (length > cocoon::sys::max_args) return Error{cocoon::sys::einval};
    uint64_t page = layout::user_stack_top - layout::page_size;
    uint64_t frame = TRY(frames().allocate());
    auto mapped = space.map(page, frame, pte::user | pte::writable | pte::no_execute);
    if (!mapped.ok()) {
        frames().free(frame);
        return mapped;
    }
    memcpy(static_cast<uint8_t*>(phys_to_virt(frame)) + (cocoon::sys::args_address - page), args, length);
    return {};
}

} // namespace

void shared::set_archive(const uint8_t* data, uint64_t size) {
    archive = data;
    archive_size = size;
}

ErrorOr<int> spawn(const char* name, int parent, const char* args) {
    ArchiveFile file = ustar_find(archive, archive_size, name);
    if (!file.data) return Error{cocoon::sys::enoent};
    ElfImage image = TRY(parse_elf(file.data, file.size));
    Process* slot = nullptr;
    for (auto& p : table)
        if (p.state == State::unused) {
            slot = &p;
            break;
        }
    if (!slot) return Error{cocoon::sys::eagain};
    if (!could_fit(image.pages + 1)) return Error{cocoon::sys::enomem};  // + the arguments' page

    mm::AddressSpace space = TRY(mm::AddressSpace::create(frames(), direct_map(), kernel_root(), swap_space()));
    for (int i = 0; i < image.count; ++i) {
        auto loaded = load_segment(space, image.segments[i]);
        if (!loaded.ok()) {
            space.destroy();
            return Error{loaded.error()};
        }
    }
    auto placed = place_args(space, args);
    if (!placed.ok()) {
        space.destroy();
        return Error{placed.error()};
    }
    Process& p = *slot;
    p = Process{};
    p.pid = next_pid++;
    p.parent = parent;
    for (size_t i = 0; i + 1 < sizeof p.name && name[i]; ++i) p.name[i] = name[i];
    p.space = space;
    p.x87.bytes[0] = 0x7f, p.x87.bytes[1] = 0x03;  // what fninit leaves: control word 0x37f,
    p.x87.bytes[8] = 0xff, p.x87.bytes[9] = 0xff;  // every register empty (tag word 0xffff)
    p.heap_start = p.brk = page_up(image.end);
    p.kernel_stack = kernel_stacks[slot - table];

    // The first switch to it "returns" into first_return with this frame: user mode at
    // the entry, on the stack below its arguments, interrupts on.
    uint64_t top = reinterpret_cast<uint64_t>(p.kernel_stack + kernel_stack_size);
    static_assert(sizeof(cpu::TrapFrame) % 16 == 0, "first_return calls C with the frame on top of the stack");
    auto* frame = reinterpret_cast<cpu::TrapFrame*>(top - sizeof(cpu::TrapFrame));
    *frame = cpu::TrapFrame{};
    frame->rip = image.entry;
    frame->cs = cpu::user_cs;
    frame->rflags = 0x202;
    frame->rsp = cocoon::sys::args_address;
    frame->ss = cpu::user_ds;
    auto* switch_frame = reinterpret_cast<uint64_t*>(frame) - 7;
    for (int i = 0; i < 6; ++i) switch_frame[i] = 0;  // r15 r14 r13 r12 rbx rbp
    switch_frame[6] = reinterpret_cast<uint64_t>(&first_return);
    p.context = reinterpret_cast<uint64_t>(switch_frame);
    p.state = State::runnable;
    trace::spawned(p.pid, p.name, p.space, parent);
    return p.pid;
}

void list_programs(char* out, size_t size) {
    size_t at = 0;
    ustar_for_each(archive, archive_size, [&](const char* name) {
        if (name[0] == '.' && name[1] == '/') name += 2;
        for (const char* part = at ? ", " : ""; *part && at + 1 < size; ++part) out[at++] = *part;
        for (; *name && at + 1 < size; ++name) out[at++] = *name;
    });
    if (size) out[at < size ? at : size - 1] = 0;
}

} // namespace kernel::proc
