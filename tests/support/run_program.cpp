#include "support/run_program.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace cocoon::test {

namespace {

// In a forked child: becomes argv[0] with these arguments, or ends with 127.
[[noreturn]] void exec_or_exit(const std::vector<std::string>& argv) {
    std::vector<char*> pointers;
    for (const std::string& a : argv) pointers.push_back(const_cast<char*>(a.c_str()));
    pointers.push_back(nullptr);
    execv(pointers[0], pointers.data());
    _exit(127);
}

} // namespace

CocoonRun run_program(const std::string& program, const std::vector<std::string>& args, std::chrono::seconds timeout,
                      const std::optional<SignalAfter>& signal, const std::vector<TypeAfter>& typing) {
    int out_pipe[2], err_pipe[2], in_pipe[2] = {-1, -1};
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) return {};
    if (!typing.empty() && pipe2(in_pipe, O_CLOEXEC) != 0) return {};
    if (!typing.empty()) ::signal(SIGPIPE, SIG_IGN);  // a program that ended before reading: a failed write
    pid_t pid = fork();
    if (pid == 0) {
        dup2(typing.empty() ? open("/dev/null", O_RDONLY) : in_pipe[0], 0);
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        std::vector<std::string> argv{program};
        argv.insert(argv.end(), args.begin(), args.end());
        exec_or_exit(argv);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (in_pipe[0] >= 0) close(in_pipe[0]);

    CocoonRun result;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_pipes = 2;
    bool killed = false, signalled = false;
    size_t typed = 0, typed_past = 0;  // steps done; where the last one's text ended
    while (open_pipes > 0) {
        if (signal && !signalled && result.err.find(signal->after) != std::string::npos) {
            kill(pid, signal->signal);
            signalled = true;
        }
        for (size_t at; typed < typing.size() && (at = result.out.find(typing[typed].after, typed_past)) != std::string::npos;) {
            const std::string& keys = typing[typed].keys;
            if (write(in_pipe[1], keys.data(), keys.size()) != static_cast<ssize_t>(keys.size())) break;
            typed_past = at + typing[typed].after.size();
            if (++typed == typing.size()) close(in_pipe[1]);
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 && !killed) {
            kill(pid, SIGKILL);
            killed = true;
        }
        if (poll(fds, 2, killed ? 1000 : static_cast<int>(std::min<long>(left.count(), 1000))) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
            char buffer[4096];
            ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0) {
                sinks[i]->append(buffer, static_cast<size_t>(n));
            } else {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_pipes;
            }
        }
    }
    if (typed < typing.size() && in_pipe[1] >= 0) close(in_pipe[1]);
    int status = 0;
    waitpid(pid, &status, 0);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (killed) result.err += "\n[test] " + program + " was killed after the test's timeout\n";
    return result;
}

Started start_program(const std::vector<std::string>& argv, const std::string& out, const std::string& err) {
    int out_pipe[2] = {-1, -1};
    if (out.empty() && pipe2(out_pipe, O_CLOEXEC) != 0) return {};
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        if (out.empty()) {
            dup2(out_pipe[1], 1);
        } else {
            int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            dup2(o, 1);
            if (err == out) dup2(o, 2);
            else if (!err.empty()) dup2(open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 2);
        }
        exec_or_exit(argv);
    }
    if (out.empty()) close(out_pipe[1]);
    return {pid, out_pipe[0]};
}

} // namespace cocoon::test
