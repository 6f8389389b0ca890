// The user runtime: system calls, printf, malloc. Programs include only this.
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "cocoon/syscalls.h"
#include "cocoon/system_info.h"

extern "C" {
[[noreturn]] void exit(int status);
long write(int fd, const void* buffer, size_t length);
// fd 0, the console: blocks until a line is there (a byte in raw mode); 0 at the end of
// input (Ctrl-D on an empty line), -EINTR when Ctrl-C interrupted it.
long read(int fd, void* buffer, size_t length);
int getpid();
void* brk(void* end);
void* sbrk(intptr_t increment);
void yield();
long sleep_ms(uint64_t ms);  // 0, or -EINTR when Ctrl-C interrupted it
// Starts program `name` from the archive; the child reads `args` (or "") with program_args().
int spawn(const char* name, const char* args);
// Waits for a child (pid, or -1 for any). A child the kernel killed has status -1 and
// *kill_reason its cocoon::trace::KillReason; one that exited has kill_reason 0. With
// flags sys::wait_nohang, 0 when none has ended yet.
int wait(int pid, int* status, uint32_t* kill_reason = nullptr, uint64_t flags = 0);
const char* program_args();
// Reading the arguments: whether `s` begins with `prefix`; the leading decimal number
// of `s` (0 if none); the word after the next space (or the empty end).
bool starts_with(const char* s, const char* prefix);
uint64_t parse_number(const char* s);
const char* next_word(const char* s);
uint64_t uptime_ms();
// The disks: `len` whole 512-byte sectors, at most 64 KiB; 0 or -errno.
long disk_read(int disk, uint64_t sector, void* buffer, size_t length);
long disk_write(int disk, uint64_t sector, const void* buffer, size_t length);
long disk_flush(int disk);
long disk_sectors(int disk);
long frames_free();  // free physical frames: a leak check
long kill(int pid);  // ends a child of the caller: 0, or -ESRCH / -EPERM
// The processes (at most `count`), and the system's figures: cocoon/system_info.h.
long process_list(cocoon::sys::ProcessInfo* out, size_t count);
long system_info(cocoon::sys::SystemInfo* out);
// The caller takes the console: Ctrl-C kills its child `pid`, or with 0 interrupts the
// caller's own read, wait or sleep.
long set_foreground(int pid);
long set_quantum(uint64_t ms);  // the quantum before; 0 only asks
long console_mode(uint32_t mode);  // cocoon::sys::ConsoleMode; returns the mode before
long syscall6(uint64_t number, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f);

int printf(const char* format, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char* out, size_t size, const char* format, va_list args);
int snprintf(char* out, size_t size, const char* format, ...) __attribute__((format(printf, 3, 4)));
void* malloc(size_t size);
void free(void* p);
}

#include "freestanding/string.h"  // memset, memcpy, memmove, memcmp, strlen, strcmp, strncmp
