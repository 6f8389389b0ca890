// The filter is real: a confined child process dies of SIGSYS on a forbidden call and
// lives on through allowed ones.
#include "vmm/sandbox/seccomp_filter.h"

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include <gtest/gtest.h>

using cocoon::vmm::confine_thread;
using cocoon::vmm::ThreadRole;

namespace {

// Runs `body` in a forked child after confining it; returns the wait status.
template <typename Body>
int run_confined(ThreadRole role, Body body) {
    pid_t pid = fork();
    if (pid == 0) {
        confine_thread(role);
        _exit(body());
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

TEST(SeccompFilter, ForbiddenCallKillsTheProcess) {
    for (ThreadRole role : {ThreadRole::vcpu, ThreadRole::events, ThreadRole::main}) {
        int status = run_confined(role, [] { return socket(AF_UNIX, SOCK_STREAM, 0) >= 0 ? 0 : 1; });
        ASSERT_TRUE(WIFSIGNALED(status)) << "role " << int(role) << " status " << status;
        EXPECT_EQ(WTERMSIG(status), SIGSYS);
    }
}

TEST(SeccompFilter, OpeningFilesIsRefusedWithEacces) {
    int status = run_confined(ThreadRole::events, [] {
        int fd = open("/etc/hostname", O_RDONLY);
        return fd < 0 && errno == EACCES ? 9 : 1;
    });
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 9);
}

TEST(SeccompFilter, ForbiddenIoctlKillsEvenThoughIoctlIsListed) {
    int status = run_confined(ThreadRole::vcpu, [] {
        int flags = 1;
        return ioctl(0, FIONBIO, &flags) == 0 ? 0 : 1;  // allowed only on the event thread
    });
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

TEST(SeccompFilter, AllowedCallsWork) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    int status = run_confined(ThreadRole::vcpu, [&] {
        char byte = 'k';
        if (write(fds[1], &byte, 1) != 1) return 2;
        void* p = malloc(1 << 20);  // large: served by mmap
        free(p);
        return 7;
    });
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 7);
    char byte = 0;
    EXPECT_EQ(read(fds[0], &byte, 1), 1);
    EXPECT_EQ(byte, 'k');
    close(fds[0]);
    close(fds[1]);
}

// A crash on a confined thread can still give the terminal its mode back; the terminal's
// job-control signals wait for the main thread.
TEST(SeccompFilter, ConfinedThreadsSetTheTerminalsModeAndLeaveJobControlAlone) {
    int master = -1, slave = -1;
    ASSERT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
    termios mode{};
    ASSERT_EQ(tcgetattr(slave, &mode), 0);
    for (ThreadRole role : {ThreadRole::vcpu, ThreadRole::events}) {
        int status = run_confined(role, [&] {
            sigset_t blocked;
            pthread_sigmask(SIG_BLOCK, nullptr, &blocked);
            if (!sigismember(&blocked, SIGTSTP) || !sigismember(&blocked, SIGCONT)) return 1;
            return tcsetattr(slave, TCSANOW, &mode) == 0 ? 9 : 2;
        });
        ASSERT_TRUE(WIFEXITED(status)) << "role " << int(role) << " status " << status;
        EXPECT_EQ(WEXITSTATUS(status), 9) << "role " << int(role);
    }
    close(master);
    close(slave);
}

} // namespace
