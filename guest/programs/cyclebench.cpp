// The kernel's hot paths timed from inside the guest, in TSC cycles: a null system
// call, a demand-zero page fault, a switch between processes that yield to each other
// (2, and 1 to 64 for the scale, 64 being the whole process table), and, with the
// argument `swap` (`init=cyclebench:swap`, a swap disk and little memory), a page brought
// back from swap instead. Each figure is `repeats` runs of a loop, printed as one line:
// cycles per operation, median and range. scripts/bench/cycles.sh runs it under cocoon
// and under QEMU.
//
// Children are this program again, spawned with arguments: `yield` loops on yield(),
// `fault PAGES` on bursts of demand-zero faults; both until their parent kills them.
#include "cocoon.h"

namespace {

constexpr int repeats = 7;
constexpr int table_size = 64;  // kernel/proc/process.h: max_processes
constexpr uint64_t page = 4096;
constexpr uint64_t fault_pages = 256;

uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return (uint64_t{hi} << 32) | lo;
}

// One figure: cycles per operation in each repeat, printed as median and range.
struct Samples {
    uint64_t per_op[repeats];
    int count = 0;
    void add(uint64_t cycles, uint64_t ops) { per_op[count++] = cycles / ops; }
    void print(const char* figure, uint64_t ops) {
        for (int i = 1; i < count; ++i)
            for (int j = i; j > 0 && per_op[j - 1] > per_op[j]; --j) {
                uint64_t t = per_op[j];
                per_op[j] = per_op[j - 1];
                per_op[j - 1] = t;
            }
        printf("cyclebench: %s n=%lu median=%lu min=%lu max=%lu\n", figure, ops, per_op[count / 2], per_op[0],
               per_op[count - 1]);
    }
};

// The break on a page boundary, so that every page of a later sbrk is new.
void align_break() {
    auto end = reinterpret_cast<uint64_t>(sbrk(0));
    if (end % page) sbrk(static_cast<intptr_t>(page - end % page));
}

// Grows the heap by `pages`, touches one byte of each (a demand-zero fault apiece) and
// gives them back; the cycles the touching took.
uint64_t fault_burst(uint64_t pages) {
    auto* heap = static_cast<volatile uint8_t*>(sbrk(static_cast<intptr_t>(pages * page)));
    if (reinterpret_cast<intptr_t>(heap) < 0) {
        printf("cyclebench: sbrk of %lu pages failed\n", pages);
        exit(1);
    }
    uint64_t start = rdtsc();
    for (uint64_t i = 0; i < pages; ++i) heap[i * page] = 1;
    uint64_t cycles = rdtsc() - start;
    sbrk(-static_cast<intptr_t>(pages * page));
    return cycles;
}

void syscall_null() {
    constexpr uint64_t calls = 20000;
    Samples s;
    for (int r = 0; r < repeats; ++r) {
        uint64_t start = rdtsc();
        for (uint64_t i = 0; i < calls; ++i) getpid();
        s.add(rdtsc() - start, calls);
    }
    s.print("syscall-null", calls);
}

// A swap disk, and twice as many pages written as there are free frames: the first
// ones went to the disk to make room for the last. Reading them back is a swap-in each,
// which, memory being full, also evicts (and writes out) another page.
void swap_in() {
    constexpr uint64_t reread = 128;
    uint64_t pages = static_cast<uint64_t>(frames_free()) * 2;
    auto* heap = static_cast<volatile uint8_t*>(sbrk(static_cast<intptr_t>(pages * page)));
    if (reinterpret_cast<intptr_t>(heap) < 0 || pages < 2 * repeats * reread) {
        printf("cyclebench: no heap of %lu pages for swap-in\n", pages);
        exit(1);
    }
    for (uint64_t i = 0; i < pages; ++i) heap[i * page] = 1;
    Samples s;
    uint64_t sum = 0;
    for (int r = 0; r < repeats; ++r) {
        uint64_t first = r * reread, start = rdtsc();
        for (uint64_t i = first; i < first + reread; ++i) sum += heap[i * page];
        s.add(rdtsc() - start, reread);
    }
    if (sum != repeats * reread) printf("cyclebench: swap-in read back %lu, not %lu\n", sum, repeats * reread);
    s.print("swap-in", reread);
}

// `procs` processes runnable: this one and procs - 1 children, all yielding or all
// faulting. A yield here goes round every other process before it returns, so it is
// `procs` switches; a fault burst here runs between the others' bursts.
struct Children {
    int pids[table_size];
    int count = 0;
    Children(int wanted, const char* args) {
        for (; count < wanted; ++count) {
            pids[count] = spawn("cyclebench", args);
            if (pids[count] < 0) {
                printf("cyclebench: spawning child %d of %d failed: %d\n", count + 1, wanted, pids[count]);
                exit(1);
            }
        }
        for (int i = 0; i < 2; ++i) yield();  // every child has entered its loop
    }
    ~Children() {
        for (int i = 0; i < count; ++i) kill(pids[i]);
        for (int i = 0; i < count; ++i) wait(pids[i], nullptr);
    }
};

void switches(int procs) {
    uint64_t yields = 2048 / procs < 16 ? 16 : 2048 / procs;
    Samples s;
    {
        Children children(procs - 1, "yield");
        for (int r = 0; r < repeats; ++r) {
            uint64_t start = rdtsc();
            for (uint64_t i = 0; i < yields; ++i) yield();
            s.add(rdtsc() - start, yields * procs);
        }
    }
    char figure[32];
    snprintf(figure, sizeof figure, "switch procs=%d", procs);
    s.print(figure, yields * procs);
}

void faults(int procs) {
    char args[32];
    snprintf(args, sizeof args, "fault %lu", fault_pages);
    Samples s;
    {
        Children children(procs - 1, args);
        fault_burst(fault_pages);  // the heap's page tables built, its frames touched once
        for (int r = 0; r < repeats; ++r) {
            s.add(fault_burst(fault_pages), fault_pages);
            yield();
        }
    }
    char figure[32];
    snprintf(figure, sizeof figure, "fault procs=%d", procs);
    s.print(figure, fault_pages);
}

} // namespace

int main() {
    const char* args = program_args();
    align_break();
    if (starts_with(args, "yield")) {
        for (;;) yield();
    }
    if (starts_with(args, "fault ")) {
        uint64_t pages = parse_number(args + 6);
        for (;;) {
            fault_burst(pages);
            yield();
        }
    }
    if (starts_with(args, "swap")) {
        swap_in();
        return 0;
    }
    syscall_null();
    constexpr int process_counts[] = {1, 2, 16, table_size};
    for (int procs : process_counts) {
        switches(procs);
        faults(procs);
    }
    return 0;
}
