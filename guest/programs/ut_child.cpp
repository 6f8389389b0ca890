// usertests' child: its arguments say what to do. A misdeed from the table announces
// itself ("ut_child pid=N: NAME") and does it: the kernel must kill it (usertests checks
// the reason through wait, cocoon logs it). The other requests are helpers for cases
// that need a second process which behaves.
#include "cocoon.h"
#include "usertests/addresses.h"

namespace {

using ut::direct_map, ut::kernel_image, ut::non_canonical, ut::unmapped;

volatile uint64_t sink;
uint8_t data_ret[16] = {0xc3};  // a `ret` in .data (no-execute)
const char rodata_text[] = "read-only";

bool same(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

long number(const char* s) {
    long sign = *s == '-' ? (++s, -1) : 1, v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    return sign * v;
}

// The address goes through an empty asm so that the compiler cannot see (and warn
// about, or drop) an access to a constant it knows is bad.
uint64_t opaque(uint64_t a) {
    asm("" : "+r"(a));
    return a;
}
void read_at(uint64_t a) { sink = *reinterpret_cast<volatile uint64_t*>(opaque(a)); }
void write_at(uint64_t a) { *reinterpret_cast<volatile uint64_t*>(opaque(a)) = 1; }
void call_at(uint64_t a) { reinterpret_cast<void (*)()>(opaque(a))(); }

volatile bool keep_diving = true;

int dive(int depth) {
    volatile char frame[4096];
    frame[0] = static_cast<char>(depth);
    return (keep_diving ? dive(depth + 1) : 0) + frame[0];
}

// A system call made on a stack the process may not use; the kernel must not touch it,
// and the first push after the return faults in user mode.
#define SYSCALL_ON_STACK(rsp)                                                                        \
    asm volatile("mov %%rsp, %%rbx; movabs $" #rsp ", %%rsp; mov $2, %%eax; syscall; push %%rax;" \
                 "mov %%rbx, %%rsp" ::: "rax", "rbx", "rcx", "r11", "memory")

struct Misdeed {
    const char* name;
    void (*act)();
};

const Misdeed misdeeds[] = {
    // Memory that is not the process's, or not for that use.
    {"read-kernel", [] { read_at(kernel_image); }},
    {"write-kernel", [] { write_at(kernel_image); }},
    {"exec-kernel", [] { call_at(kernel_image); }},
    {"read-page-tables", [] { read_at(direct_map); }},
    {"write-page-tables", [] { write_at(direct_map); }},
    {"exec-page-tables", [] { call_at(direct_map); }},
    {"read-non-canonical", [] { read_at(non_canonical); }},
    {"null-read", [] { read_at(8); }},
    {"null-write", [] { write_at(8); }},
    {"null-call", [] { call_at(0); }},
    {"write-code", [] { write_at(reinterpret_cast<uint64_t>(&same)); }},
    {"write-rodata", [] { write_at(reinterpret_cast<uint64_t>(rodata_text)); }},
    {"exec-stack", [] {
         volatile uint8_t code[16] = {0xc3};
         call_at(reinterpret_cast<uint64_t>(code));
     }},
    {"exec-heap", [] {
         auto* code = static_cast<uint8_t*>(sbrk(4096));
         code[0] = 0xc3;
         call_at(reinterpret_cast<uint64_t>(code));
     }},
    {"exec-data", [] { call_at(reinterpret_cast<uint64_t>(data_ret)); }},
    {"exec-unmapped", [] { call_at(unmapped); }},
    {"stack-overflow", [] { sink = static_cast<uint64_t>(dive(0)); }},
    // Control transfers the kernel never hands out.
    {"jump-non-canonical", [] { asm volatile("jmp *%0" ::"r"(non_canonical)); }},
    {"jump-top-of-user-half", [] { asm volatile("jmp *%0" ::"r"(non_canonical - 2)); }},
    {"return-to-kernel", [] { asm volatile("push %0; ret" ::"r"(kernel_image)); }},
    {"syscall-kernel-rsp", [] { SYSCALL_ON_STACK(0xffffffff80100000); }},
    {"syscall-non-canonical-rsp", [] { SYSCALL_ON_STACK(0x0000800000001000); }},
    {"iretq-to-ring0", [] {
         asm volatile("mov %%rsp, %%rax; push $0x10; push %%rax; pushfq; push $0x08; lea 1f(%%rip), %%rax; push %%rax;"
                      "iretq; 1:" ::: "rax", "memory");
     }},
    {"lret-to-ring0", [] { asm volatile("push $0x08; lea 1f(%%rip), %%rax; push %%rax; lretq; 1:" ::: "rax", "memory"); }},
    {"load-kernel-ss", [] { asm volatile("mov $0x10, %%eax; mov %%ax, %%ss" ::: "rax"); }},
    // Selectors into the LDT (table bit set): the kernel's LDT is null, so the CPU reads
    // no descriptor (and no call gate) from anywhere, user memory least of all.
    {"ldt-selector", [] { asm volatile("mov $0x7, %%eax; mov %%ax, %%fs" ::: "rax"); }},
    {"ldt-far-call", [] {
         static const uint32_t far_pointer[2] = {0, 0x7};  // offset 0, selector 7 (LDT entry 0, RPL 3)
         asm volatile("lcall *%0" ::"m"(far_pointer) : "memory");
     }},
    // Privileged instructions: each a general protection fault at CPL 3.
    {"cli", [] { asm volatile("cli"); }},
    {"sti", [] { asm volatile("sti"); }},
    {"hlt", [] { asm volatile("hlt"); }},
    {"in", [] { asm volatile("inb $0x64, %%al" ::: "rax"); }},
    {"out", [] { asm volatile("outb %%al, $0x80" ::"a"(0)); }},
    {"mov-to-cr3", [] { asm volatile("mov %0, %%cr3" ::"r"(uint64_t{0x1000})); }},
    {"mov-from-cr0", [] { asm volatile("mov %%cr0, %%rax" ::: "rax"); }},
    {"mov-to-dr7", [] { asm volatile("mov %0, %%dr7" ::"r"(uint64_t{0})); }},
    {"wrmsr-lstar", [] { asm volatile("wrmsr" ::"c"(0xc0000082), "a"(0), "d"(0)); }},
    {"rdmsr-lstar", [] { asm volatile("rdmsr" ::"c"(0xc0000082) : "rax", "rdx"); }},
    {"lgdt", [] {
         static uint8_t pointer[10];
         asm volatile("lgdt %0" ::"m"(pointer));
     }},
    {"lidt", [] {
         static uint8_t pointer[10];
         asm volatile("lidt %0" ::"m"(pointer));
     }},
    {"ltr", [] { asm volatile("ltr %w0" ::"r"(uint16_t{0x28})); }},
    {"invlpg", [] { asm volatile("invlpg (%0)" ::"r"(kernel_image) : "memory"); }},
    {"wbinvd", [] { asm volatile("wbinvd"); }},
    {"clts", [] { asm volatile("clts"); }},
    {"swapgs", [] { asm volatile("swapgs"); }},
    {"sysretq", [] { asm volatile("sysretq"); }},
    {"int-0x80", [] { asm volatile("int $0x80"); }},
    {"int3", [] { asm volatile("int3"); }},
    // Other exceptions.
    {"divide-by-zero", [] { asm volatile("xor %%ecx, %%ecx; div %%ecx" ::: "rax", "rcx", "rdx"); }},
    {"ud2", [] { asm volatile("ud2"); }},
    {"icebp", [] { asm volatile(".byte 0xf1"); }},
    {"sse", [] { asm volatile("xorps %xmm0, %xmm0"); }},  // SSE is off: its registers are not saved
    // 0/0 with the invalid-operation exception unmasked: #MF at the next fwait (CR0.NE).
    {"x87-unmasked-exception", [] {
         static const uint16_t control = 0x37e;  // fninit's 0x37f with IM cleared
         asm volatile("fninit; fldcw %0; fldz; fldz; fdivrp; fwait" ::"m"(control));
     }},
    // Single-stepping into the kernel: TF is set for the syscall itself. The kernel
    // clears it on entry; it comes back with sysretq and traps in user mode.
    {"single-step-syscall", [] {
         asm volatile("pushfq; orq $0x100, (%%rsp); mov $2, %%eax; popfq; syscall; nop" ::: "rax", "rcx", "r11",
                      "memory", "cc");
     }},
    // RAM: pages until there are none; sbrk itself never refuses this (it only
    // reserves addresses), so the kernel kills the hog at the fault it cannot serve.
    {"hog", [] {
         for (;;) {
             auto* p = static_cast<volatile uint8_t*>(sbrk(1 << 20));
             if (reinterpret_cast<intptr_t>(p) < 0) exit(3);  // the allocator said no: also fine
             for (int i = 0; i < (1 << 20); i += 4096) p[i] = 1;
         }
     }},
};

// NT set while making a system call: the kernel must clear it on entry, or its next
// iretq (here: the fresh grandchild's first return to user mode) raises #GP in ring 0.
int nt_flag() {
    int child = spawn("ut_child", "exit 0");
    if (child < 0) return 2;
    asm volatile("pushfq; orq $0x4000, (%%rsp); popfq" ::: "memory", "cc");
    yield();
    asm volatile("pushfq; andq $~0x4000, (%%rsp); popfq" ::: "memory", "cc");
    int status = -1;
    return wait(child, &status) == child && status == 0 ? 0 : 1;
}

// DF set across page faults and timer ticks (all in assembly: compiled code assumes
// DF clear). The kernel clears it on every entry and checks that it did (a panic if
// not); the process's own DF must still be set when it looks, and its new pages zero.
int direction_flag() {
    constexpr int pages = 16;
    auto* heap = static_cast<volatile uint8_t*>(sbrk(pages * 4096));
    if (reinterpret_cast<intptr_t>(heap) < 0) return 2;
    uint64_t until = uptime_ms() + 30, flags = 0;
    volatile uint8_t* at = heap;
    int left = pages;
    asm volatile(
        "std\n"
        "1: movb $1, (%[at]); add $4096, %[at]; dec %[left]; jnz 1b\n"      // a page fault each
        "2: mov %[uptime], %%eax; syscall; cmp %[until], %%rax; jb 2b\n"  // ticks land in between
        "pushfq; pop %[flags]; cld"
        : [at] "+r"(at), [left] "+r"(left), [flags] "=r"(flags)
        : [uptime] "i"(cocoon::sys::uptime_ms), [until] "r"(until)
        : "rax", "rcx", "r11", "memory", "cc");
    int bad = 0;
    for (int i = 0; i < pages; ++i) bad += heap[i * 4096] != 1 || heap[i * 4096 + 8] != 0;
    return (flags & (1u << 10)) && bad == 0 ? 0 : 1;
}

// Children left behind: some end before this process, some after.
int orphans() {
    for (int i = 0; i < 3; ++i) spawn("ut_child", "exit 0");
    sleep_ms(20);
    for (int i = 0; i < 3; ++i) spawn("ut_child", "sleep 100");
    return 0;
}

// A read asked for more heap than RAM holds: the kernel takes on at most 1 MiB of it (a
// short count, as Linux caps a read), so the pages it supplies are bounded whatever
// length the caller names; then it waits for the console, which has nothing, until its
// parent ends it (usertests looks at its pages meanwhile).
int read_hog() {
    constexpr intptr_t size = intptr_t{1} << 32;
    auto* heap = static_cast<char*>(sbrk(size));
    if (reinterpret_cast<intptr_t>(heap) < 0) return 2;
    read(0, heap, size);
    return 1;  // the read was to block
}

// The x87 registers are each process's own: a keeper leaves a value on the x87 stack
// across sleeps while a probe (started right after it) looks at what it finds there
// and then fills the stack with its own values.
constexpr int64_t x87_secret = 0x5ec2e7;

int x87_keeper() {
    asm volatile("fninit; fildq %0" ::"m"(x87_secret));
    int bad = 0;
    for (int round = 0; round < 10; ++round) {
        sleep_ms(2);
        int64_t seen = 0;
        asm volatile("fistpq %0; fildq %0" : "+m"(seen));  // read it and leave it there
        bad += seen != x87_secret;
    }
    return bad == 0 ? 0 : 1;
}

int x87_probe() {
    uint16_t env[14] = {};  // fnstenv: control, status, tag word (0xffff: all empty), ...
    asm volatile("fnstenv %0" : "=m"(env));
    bool clean = env[4] == 0xffff;
    for (int i = 0; i < 8; ++i) asm volatile("fldpi");
    yield();
    return clean ? 0 : 1;
}

// A process minding its own business while others are killed around it: its memory
// and its output must come through.
int bystander() {
    constexpr int words = 16 << 10;
    auto* heap = static_cast<uint32_t*>(sbrk(words * 4));
    for (int i = 0; i < words; ++i) heap[i] = static_cast<uint32_t>(i * 2654435761u + getpid());
    int bad = 0;
    for (int round = 0; round < 10; ++round) {
        sleep_ms(5);
        for (int i = 0; i < words; ++i) bad += heap[i] != static_cast<uint32_t>(i * 2654435761u + getpid());
    }
    printf("ut_child pid=%d: bystander: %d bad words after 10 rounds\n", getpid(), bad);
    return bad == 0 ? 0 : 1;
}

} // namespace

int main() {
    // The arguments: "WORD" or "WORD NUMBER".
    char word[32] = {};
    const char* arg = program_args();
    for (int n = 0; *arg && *arg != ' '; ++arg)
        if (n < 31) word[n++] = *arg;
    if (*arg) ++arg;

    if (!word[0]) return 0;
    if (same(word, "exit")) return static_cast<int>(number(arg));
    if (same(word, "sleep")) {
        sleep_ms(static_cast<uint64_t>(number(arg)));
        return 0;
    }
    if (same(word, "nt-flag")) return nt_flag();
    if (same(word, "orphans")) return orphans();
    if (same(word, "direction-flag")) return direction_flag();
    if (same(word, "read-hog")) return read_hog();
    if (same(word, "bystander")) return bystander();
    if (same(word, "spin-forever"))
        for (;;) asm volatile("" ::: "memory");  // no system call, no exit: only the tick stops it
    if (same(word, "x87-keeper")) return x87_keeper();
    if (same(word, "x87-probe")) return x87_probe();
    for (const Misdeed& m : misdeeds) {
        if (!same(word, m.name)) continue;
        printf("ut_child pid=%d: %s\n", getpid(), m.name);
        m.act();
        return 0;  // still alive: usertests reports that it was not killed
    }
    printf("ut_child: no misdeed called '%s'\n", word);
    return 2;
}
