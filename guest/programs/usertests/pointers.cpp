// Every class of bad pointer for every system call that takes one. Each must fail with
// EFAULT (or the documented error) and leave the caller running; none may make the
// kernel read or write where the caller could not.
#include "suite.h"

namespace ut {
namespace {

constexpr long efault = -sys::efault;
const char rodata_text[] = "read-only text";

uint64_t page_up(uint64_t a) { return (a + 4095) & ~uint64_t{4095}; }
// The first address past this process's heap (or data): nothing is mapped there.
uint64_t hole() { return page_up(reinterpret_cast<uint64_t>(sbrk(0))); }
uint64_t code_page() { return reinterpret_cast<uint64_t>(&page_up); }

struct Bad {
    const char* what;
    uint64_t address, length;
    long want;
};

// The bad addresses for `length` bytes; calls that take a length add "huge length"
// (`valid` with a length that also runs past the top), calls that write add the
// read-only pages.
int address_classes(Bad* out, uint64_t length) {
    const Bad classes[] = {
        {"NULL", 0, length, efault},
        {"kernel half", kernel_image, length, efault},
        {"direct map", direct_map, length, efault},
        {"non-canonical", non_canonical, length, efault},
        {"unmapped", unmapped, length, efault},
        {"into a hole", hole() - length / 2, length, efault},
        {"wraps around the top", 0 - length / 2, length, efault},
    };
    int n = 0;
    for (const Bad& b : classes) out[n++] = b;
    return n;
}

Bad huge_length(uint64_t valid, long want) { return {"huge length", valid, (uint64_t{1} << 63) + 4096, want}; }

int read_only_classes(Bad* out, uint64_t length) {
    out[0] = {"code page", code_page(), length, efault};
    out[1] = {"read-only data", reinterpret_cast<uint64_t>(rodata_text), length, efault};
    return 2;
}

// Runs `call` on every class: one case each, named "call(class)".
void each(const char* call, const Bad* classes, int count, long (*fn)(uint64_t address, uint64_t length)) {
    for (int i = 0; i < count; ++i) {
        char name[64];
        snprintf(name, sizeof name, "%s(%s)", call, classes[i].what);
        expect_result(name, fn(classes[i].address, classes[i].length), classes[i].want);
    }
}

void read_write_cases() {
    static char buffer[64];
    Bad classes[16];
    int n = address_classes(classes, sizeof buffer);
    classes[n++] = huge_length(reinterpret_cast<uint64_t>(buffer), efault);
    each("write", classes, n, [](uint64_t a, uint64_t l) { return write(1, reinterpret_cast<void*>(a), l); });
    n += read_only_classes(classes + n, sizeof buffer);
    each("read", classes, n, [](uint64_t a, uint64_t l) { return read(0, reinterpret_cast<void*>(a), l); });
    expect_result("write(bad fd)", write(3, buffer, 1), -sys::ebadf);
    expect_result("read(bad fd)", read(1, buffer, 1), -sys::ebadf);
    expect_result("write(NULL, length 0)", write(1, nullptr, 0), 0);
}

// wait checks both result pointers before it looks for a child (NULL: no result
// wanted); a bad one must not use the child up.
void wait_cases() {
    long before = frames_free();
    int quiet = spawn("ut_child", "exit 0");
    expect_result("wait(status NULL, kill reason NULL)", wait(quiet, nullptr, nullptr), quiet);
    int child = spawn("ut_child", "exit 7");
    if (child < 0) return fail("wait(the child)", "spawn returned %d", child);
    Bad classes[16];
    int n = address_classes(classes, 4);
    n += read_only_classes(classes + n, 4);
    for (int i = 1; i < n; ++i) {  // all but NULL
        char name[64];
        snprintf(name, sizeof name, "wait(status %s)", classes[i].what);
        expect_result(name, wait(child, reinterpret_cast<int*>(classes[i].address)), efault);
        snprintf(name, sizeof name, "wait(kill reason %s)", classes[i].what);
        expect_result(name, wait(child, nullptr, reinterpret_cast<uint32_t*>(classes[i].address)), efault);
    }
    int status = 0;
    uint32_t reason = 99;
    int got = wait(child, &status, &reason);
    if (got != child || status != 7 || reason != 0)
        fail("wait(the child)", "returned %d, status %d, reason %u", got, status, reason);
    else if (long lost = before - frames_free()) fail("wait(the child)", "%ld frames not given back", lost);
    else pass("wait(the child)");
    expect_result("wait(no child left)", wait(-1, nullptr), -sys::echild);
    expect_result("wait(its own pid)", wait(getpid(), nullptr), -sys::echild);
}

// A string that ends in a hole: `count` characters, no NUL, right below it, on a heap
// page of its own (grown here; the caller shrinks the heap again).
uint64_t unterminated_at_hole(int count) {
    char* end = static_cast<char*>(sbrk(4096)) + 4096;
    for (int i = 1; i <= count; ++i) end[-i] = 'x';
    return reinterpret_cast<uint64_t>(end - count);
}

void spawn_cases() {
    static char long_text[300];
    memset(long_text, 'a', sizeof long_text - 1);
    const Bad strings[] = {
        {"kernel half", kernel_image, 0, efault},
        {"non-canonical", non_canonical, 0, efault},
        {"unmapped", unmapped, 0, efault},
        {"into a hole", unterminated_at_hole(8), 0, efault},
        {"too long", reinterpret_cast<uint64_t>(long_text), 0, -sys::einval},
    };
    long before = frames_free();
    for (const Bad& b : strings) {
        char name[64];
        snprintf(name, sizeof name, "spawn(name %s)", b.what);
        expect_result(name, spawn(reinterpret_cast<const char*>(b.address), "exit 0"), b.want);
        snprintf(name, sizeof name, "spawn(args %s)", b.what);
        expect_result(name, spawn("ut_child", reinterpret_cast<const char*>(b.address)), b.want);
    }
    expect_result("spawn(name NULL)", spawn(nullptr, "exit 0"), efault);
    expect_result("spawn(no such program)", spawn("no-such-program", nullptr), -sys::enoent);
    expect_result("spawn(empty name)", spawn("", nullptr), -sys::enoent);
    if (long lost = before - frames_free()) fail("spawn(failures leak nothing)", "%ld frames gone", lost);
    else pass("spawn(failures leak nothing)");
    expect_exit("spawn(args NULL)", nullptr, 0);  // documented: no arguments
    sbrk(-4096);
}

void disk_cases() {
    if (disk_sectors(0) <= 0) {
        fail("disk_read", "no disk 0: run with --disk build/.../programs.tar,ro");
        return;
    }
    static char sector[512];
    uint64_t valid = reinterpret_cast<uint64_t>(sector);
    Bad classes[16];
    int n = address_classes(classes, sizeof sector);
    classes[n++] = huge_length(valid, -sys::einval);  // documented: at most 64 KiB
    each("disk_write", classes, n, [](uint64_t a, uint64_t l) { return disk_write(0, 0, reinterpret_cast<void*>(a), l); });
    n += read_only_classes(classes + n, sizeof sector);
    each("disk_read", classes, n, [](uint64_t a, uint64_t l) { return disk_read(0, 0, reinterpret_cast<void*>(a), l); });
    // And the controls: a good buffer works, a read-only disk refuses a write from a
    // read-only page, a disk number past int does not wrap onto disk 0.
    long r = disk_read(0, 0, sector, sizeof sector);
    if (r == 0 && sector[257] == 'u' && sector[261] == 'r') pass("disk_read(valid buffer)");  // "ustar"
    else fail("disk_read(valid buffer)", "returned %ld", r);
    expect_result("disk_write(code page, read-only disk)",
                  disk_write(0, 0, reinterpret_cast<void*>(code_page()), 512), -sys::erofs);
    expect_result("disk_read(disk 2^32)",
                  syscall6(sys::disk_read, uint64_t{1} << 32, 0, valid, 512, 0, 0), -sys::enoent);
}

// The calls that fill in a structure: every class of bad pointer for each, and the
// controls (it lists itself, running; the figures add up).
void status_cases() {
    Bad classes[16];
    int n = address_classes(classes, sizeof(sys::ProcessInfo));
    n += read_only_classes(classes + n, sizeof(sys::ProcessInfo));
    each("process_list", classes, n,
         [](uint64_t a, uint64_t) { return process_list(reinterpret_cast<sys::ProcessInfo*>(a), 1); });
    n = address_classes(classes, sizeof(sys::SystemInfo));
    n += read_only_classes(classes + n, sizeof(sys::SystemInfo));
    each("system_info", classes, n, [](uint64_t a, uint64_t) { return system_info(reinterpret_cast<sys::SystemInfo*>(a)); });

    static sys::ProcessInfo list[64];
    long listed = process_list(list, 64);
    bool itself = false;
    for (long i = 0; i < listed; ++i) itself |= list[i].pid == getpid() && list[i].state == sys::state_running;
    if (!itself) fail("process_list(valid buffer)", "%ld listed, itself not running among them", listed);
    else pass("process_list(valid buffer)");
    sys::SystemInfo info{};
    long r = system_info(&info);
    if (r || !info.frames_free || info.frames_free > info.frames_total || info.idle_us > info.uptime_us)
        fail("system_info(valid buffer)", "returned %ld, %lu of %lu frames free, idle %lu of %lu us", r,
             info.frames_free, info.frames_total, info.idle_us, info.uptime_us);
    else
        pass("system_info(valid buffer)");
}

} // namespace

void pointer_cases() {
    read_write_cases();
    wait_cases();
    spawn_cases();
    disk_cases();
    status_cases();
}

} // namespace ut
