#include "cocoon.h"

namespace sys = cocoon::sys;

extern "C" {

long syscall6(uint64_t n, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f) {
    register uint64_t r10 asm("r10") = d;
    register uint64_t r8 asm("r8") = e;
    register uint64_t r9 asm("r9") = f;
    long result;
    asm volatile("syscall"
                 : "=a"(result)
                 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                 : "rcx", "r11", "memory");
    return result;
}

static long call(uint64_t n, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0) { return syscall6(n, a, b, c, 0, 0, 0); }

void exit(int status) {
    call(sys::exit, static_cast<uint64_t>(status));
    for (;;) {
    }
}
long write(int fd, const void* buffer, size_t length) { return call(sys::write, fd, (uint64_t)buffer, length); }
long read(int fd, void* buffer, size_t length) { return call(sys::read, fd, (uint64_t)buffer, length); }
int getpid() { return static_cast<int>(call(sys::getpid)); }
void* brk(void* end) { return reinterpret_cast<void*>(call(sys::brk, (uint64_t)end)); }
void* sbrk(intptr_t increment) { return reinterpret_cast<void*>(call(sys::sbrk, static_cast<uint64_t>(increment))); }
void yield() { call(sys::yield); }
long sleep_ms(uint64_t ms) { return call(sys::sleep_ms, ms); }
int spawn(const char* name, const char* args) { return static_cast<int>(call(sys::spawn, (uint64_t)name, (uint64_t)args)); }
int wait(int pid, int* status, uint32_t* kill_reason, uint64_t flags) {
    return static_cast<int>(
        syscall6(sys::wait, static_cast<uint64_t>(pid), (uint64_t)status, (uint64_t)kill_reason, flags, 0, 0));
}
const char* program_args() { return reinterpret_cast<const char*>(sys::args_address); }
uint64_t uptime_ms() { return static_cast<uint64_t>(call(sys::uptime_ms)); }
long disk_read(int disk, uint64_t sector, void* buffer, size_t length) {
    return syscall6(sys::disk_read, disk, sector, (uint64_t)buffer, length, 0, 0);
}
long disk_write(int disk, uint64_t sector, const void* buffer, size_t length) {
    return syscall6(sys::disk_write, disk, sector, (uint64_t)buffer, length, 0, 0);
}
long disk_flush(int disk) { return call(sys::disk_flush, disk); }
long disk_sectors(int disk) { return call(sys::disk_sectors, disk); }
long frames_free() { return call(sys::frames_free); }
long kill(int pid) { return call(sys::kill, static_cast<uint64_t>(pid)); }
long process_list(sys::ProcessInfo* out, size_t count) { return call(sys::process_list, (uint64_t)out, count); }
long system_info(sys::SystemInfo* out) { return call(sys::system_info, (uint64_t)out); }
long set_foreground(int pid) { return call(sys::set_foreground, static_cast<uint64_t>(pid)); }
long set_quantum(uint64_t ms) { return call(sys::set_quantum, ms); }
long console_mode(uint32_t mode) { return call(sys::console_mode, mode); }

} // extern "C"
