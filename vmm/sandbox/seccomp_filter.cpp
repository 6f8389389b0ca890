#include "vmm/sandbox/seccomp_filter.h"

#include "vmm/kvm/abi.h"

#include <linux/kvm.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <initializer_list>
#include <memory>
#include <system_error>

namespace cocoon::vmm {
namespace {

using Context = std::unique_ptr<void, decltype(&seccomp_release)>;

// What every thread of a C++ program needs to live and die: memory, locks, time,
// signals' return path, writing logs to descriptors opened during set-up.
constexpr std::initializer_list<int> common_calls = {
    SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(writev), SCMP_SYS(close), SCMP_SYS(lseek),
    SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(futex), SCMP_SYS(sched_yield),
    SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(mprotect),
    SCMP_SYS(madvise), SCMP_SYS(brk), SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep),
    SCMP_SYS(nanosleep), SCMP_SYS(gettid), SCMP_SYS(getpid), SCMP_SYS(tgkill),
    SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(sigaltstack),
    SCMP_SYS(restart_syscall), SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(rseq),
    SCMP_SYS(getrandom),
};

// tcsetattr, which reads the mode back: a crash on any thread gives the terminal its mode
// back as the process ends (vmm/console/raw_terminal.h).
constexpr std::initializer_list<unsigned long> common_ioctls = {TCSETS, TCGETS};

constexpr std::initializer_list<unsigned long> vcpu_ioctls = {
    KVM_RUN, KVM_GET_REGS, KVM_SET_REGS, KVM_GET_SREGS, KVM_SET_SREGS,
    KVM_GET_DEBUGREGS, KVM_SET_DEBUGREGS, KVM_SET_GUEST_DEBUG, KVM_TRANSLATE,
    kvm_abi::get_msrs, KVM_GET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS, KVM_GET_FPU, KVM_GET_MP_STATE,
};

constexpr std::initializer_list<int> event_calls = {
    SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
    SCMP_SYS(timerfd_settime), SCMP_SYS(timerfd_gettime), SCMP_SYS(eventfd2),
    SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(preadv), SCMP_SYS(pwritev),
    SCMP_SYS(preadv2), SCMP_SYS(pwritev2), SCMP_SYS(fdatasync), SCMP_SYS(fsync),
    SCMP_SYS(io_uring_enter), SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(fcntl),
    SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(recvfrom), SCMP_SYS(recvmsg),
    SCMP_SYS(sendto), SCMP_SYS(sendmsg), SCMP_SYS(shutdown), SCMP_SYS(setsockopt),
    SCMP_SYS(getsockopt), SCMP_SYS(getsockname), SCMP_SYS(getpeername),
};

// Asio switches sockets to non-blocking and asks how much is readable; the gdb stub
// drives the vCPU's debug registers from the event thread.
constexpr std::initializer_list<unsigned long> event_ioctls = {
    FIONBIO, FIONREAD, KVM_SET_GUEST_DEBUG,
};

constexpr std::initializer_list<int> main_calls = {
    SCMP_SYS(wait4), SCMP_SYS(rt_sigtimedwait), SCMP_SYS(rt_sigaction), SCMP_SYS(kill),
    SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl), SCMP_SYS(poll),
    SCMP_SYS(ppoll), SCMP_SYS(fdatasync), SCMP_SYS(fsync),
};

// The terminal's job-control signals are the main thread's: their handlers change the
// terminal's mode and stop the process, which a confined thread may not do.
void leave_job_control_to_main_thread() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTSTP);
    sigaddset(&set, SIGCONT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void check(int rc, const char* what) {
    if (rc < 0) throw std::system_error(-rc, std::generic_category(), what);
}

void allow(scmp_filter_ctx ctx, std::initializer_list<int> calls) {
    for (int call : calls) check(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, call, 0), "seccomp_rule_add");
}

void allow_ioctls(scmp_filter_ctx ctx, std::initializer_list<unsigned long> requests) {
    for (unsigned long request : requests)
        check(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                               scmp_arg_cmp{1, SCMP_CMP_EQ, request, 0}),
              "seccomp_rule_add(ioctl)");
}

} // namespace

void confine_thread(ThreadRole role, SeccompAction action) {
    uint32_t deny = action == SeccompAction::kill ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_LOG;
    Context ctx(seccomp_init(deny), &seccomp_release);
    if (!ctx) throw std::system_error(ENOMEM, std::generic_category(), "seccomp_init");
    allow(ctx.get(), common_calls);
    allow_ioctls(ctx.get(), common_ioctls);
    // glibc's malloc reads /proc/sys/vm/overcommit_memory when it trims a thread's heap
    // and copes with failure: opening files is refused, not fatal.
    check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 0), "seccomp_rule_add(openat)");
    switch (role) {
    case ThreadRole::vcpu:
        allow_ioctls(ctx.get(), vcpu_ioctls);
        // Posting work to the event loop wakes its epoll reactor.
        check(seccomp_rule_add(ctx.get(), SCMP_ACT_ALLOW, SCMP_SYS(epoll_ctl), 0), "seccomp_rule_add");
        break;
    case ThreadRole::events:
        allow(ctx.get(), event_calls);
        allow_ioctls(ctx.get(), event_ioctls);
        break;
    case ThreadRole::main:
        allow(ctx.get(), main_calls);
        break;
    }
    if (role != ThreadRole::main) leave_job_control_to_main_thread();
    // Per thread (no TSYNC): each role keeps only its own list.
    check(seccomp_load(ctx.get()), "seccomp_load");
}

} // namespace cocoon::vmm
