// What `cocoon run` exits with. Values 0..63 are the guest's own (what it wrote to the
// exit port, include/cocoon/exit_status.h); cocoon's reasons start at 64 and follow
// sysexits(3) and timeout(1) where those have a word for it.
#pragma once

namespace cocoon::vmm::exit_status {

inline constexpr int usage = 64;             // bad command line
inline constexpr int bad_input = 65;         // malformed kernel, initrd or disk image
inline constexpr int no_input = 66;          // a file that does not exist or cannot be read
inline constexpr int kvm_unavailable = 69;   // no /dev/kvm, no permission, missing capability
inline constexpr int internal = 70;          // cocoon's own failure
inline constexpr int guest_value_invalid = 71; // the guest wrote a value above 63 to the exit port
inline constexpr int triple_fault = 80;      // KVM_EXIT_SHUTDOWN
inline constexpr int kvm_internal_error = 81; // KVM_EXIT_INTERNAL_ERROR (e.g. emulation failure)
inline constexpr int fail_entry = 82;        // KVM_EXIT_FAIL_ENTRY: the CPU refused the state
inline constexpr int guest_stopped = 83;     // other ends: KVM_EXIT_HLT without irqchip, unknown exits
inline constexpr int timeout = 124;          // --timeout ran out
inline constexpr int sigint = 130;           // 128 + SIGINT
inline constexpr int console_quit = 131;     // Ctrl-A x on the terminal, as its quit key (SIGQUIT) would
inline constexpr int debugger_kill = 137;    // the debugger ended the run ('k'), as SIGKILL would
inline constexpr int sigterm = 143;          // 128 + SIGTERM

} // namespace cocoon::vmm::exit_status
