// What the kernel writes to the exit port, and so what `cocoon run` exits with.
// Values 0..63 belong to the guest; cocoon's own statuses (vmm/exit_status.h) start at 64.
#pragma once
#include <stdint.h>

namespace cocoon::guest_status {

inline constexpr uint32_t all_ok = 0;          // every process ended as it should: exited 0, or
                                               // killed with the reason init= named for it (name!word)
inline constexpr uint32_t some_failed = 1;     // one the kernel started (or an orphan) ended otherwise,
                                               // or could not be started; a child's status is its parent's
inline constexpr uint32_t kernel_panic = 2;    // a fault in kernel mode
inline constexpr uint32_t boot_failed = 3;     // bad boot info, no memory, no init program
inline constexpr uint32_t max_guest = 63;      // larger values are reported as invalid

} // namespace cocoon::guest_status
