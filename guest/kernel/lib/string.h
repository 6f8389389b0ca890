// The C library functions the kernel uses: its own freestanding ones in the kernel
// (guest/freestanding/), the C library's in host unit tests.
#pragma once
#ifdef COCOON_KERNEL
#include "freestanding/string.h"
#else
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#endif
