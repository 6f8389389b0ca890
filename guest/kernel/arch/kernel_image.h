// The kernel image's own rights (W^X, as xv6's kvmmake and SerenityOS's
// protect_kernel_image do): text read-only and executable, read-only data read-only and
// no-execute, data and bss writable and no-execute, and the direct map no-execute. The
// boot tables map all of it writable and executable with 2 MiB pages; this remaps the
// image with 4 KiB pages, in the kernel half every address space shares.
#pragma once

namespace kernel {

// Once, after the frame allocator has RAM and before the first process.
void protect_kernel_image();

// A test build's check that the rights hold (COCOON_KERNEL_SELFTEST, cmdline
// `selftest=write-text`, `write-rodata` or `exec-data`): the access is made, and the
// kernel panics with the reason.
void kernel_image_selftest(const char* what);

} // namespace kernel
