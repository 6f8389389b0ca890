// The few C library functions the kernel and the user runtime both need (the compiler
// also emits calls to memcpy and memset), built into each: neither links a C library.
#pragma once
#include <stddef.h>
#include <stdint.h>

extern "C" {
void* memset(void* dest, int value, size_t n);
void* memcpy(void* dest, const void* src, size_t n);
void* memmove(void* dest, const void* src, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t n);
}
