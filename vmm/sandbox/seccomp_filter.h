// Confinement, as Firecracker does it: once set-up is done, each of cocoon's threads
// installs a seccomp-bpf filter that allows only the system calls its role needs. A
// guest that found a bug in a device could then still do nothing the device thread
// could not already do: no open, no exec, no socket, no new mappings of files.
#pragma once

namespace cocoon::vmm {

enum class ThreadRole {
    vcpu,    // KVM_RUN and the register ioctls; console writes
    events,  // the Asio loop: epoll, timers, eventfds, disk I/O, the gdb socket
    main,    // waits for the others and reports
};

enum class SeccompAction {
    kill,    // a forbidden call kills the whole process (SIGSYS); the default
    log,     // a forbidden call is logged by the kernel and allowed (for finding the list)
};

// Sanitizer runtimes make system calls of their own at any moment (LeakSanitizer at
// exit, ASan's allocator): builds with them run unconfined.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool seccomp_in_this_build = false;
#else
inline constexpr bool seccomp_in_this_build = true;
#endif

// Installs the filter on the calling thread; threads it creates inherit it. A vCPU or
// event thread also blocks SIGTSTP and SIGCONT, whose handlers the unconfined main thread
// runs (vmm/console/raw_terminal.h). Throws std::system_error if the kernel refuses.
void confine_thread(ThreadRole role, SeccompAction action = SeccompAction::kill);

} // namespace cocoon::vmm
