// Start-up of a VMM as its guest sees it: runs the command with its stdout on a pipe and
// prints, in milliseconds from just before the exec (CLOCK_MONOTONIC), when the first
// byte of console output arrived, when the last did and when the command exited. With
// --memory BYTES it also samples /proc/PID/smaps while the command runs and prints the
// last sample: the resident memory, the Rss of the guest RAM (the largest anonymous
// mapping of at least BYTES), how much of it is in transparent huge pages, and what is
// left, split into file-backed and anonymous.
// Run by scripts/bench/startup.sh; prints one line of key=value pairs.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

double now_ms() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

struct Memory {
    long vm_rss_kib = 0;  // /proc/PID/status
    long guest_kib = 0;   // Rss of the guest RAM mapping
    long guest_size_kib = 0;
    long guest_huge_kib = 0;  // of guest_kib, in transparent huge pages
    unsigned long guest_start = 0;
    long file_kib = 0;  // Rss of file-backed mappings (the binary, shared libraries)
    long anon_kib = 0;  // Rss of everything else but the guest RAM
};

long status_field(pid_t pid, const std::string& key) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind(key + ":", 0) == 0) return std::atol(line.c_str() + key.size() + 1);
    return -1;
}

// One reading of smaps; nothing when the process is gone or has no guest RAM yet.
std::optional<Memory> sample(pid_t pid, long guest_bytes) {
    struct Mapping {
        unsigned long start;
        long size_kib, rss_kib, huge_kib;
        bool file, anonymous;
    };
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps");
    std::vector<Mapping> maps;
    for (std::string line; std::getline(in, line);) {
        unsigned long start = 0, end = 0;
        char perms[8] = {};
        if (std::sscanf(line.c_str(), "%lx-%lx %7s", &start, &end, perms) == 3) {
            std::istringstream fields(line);
            std::string range, p, offset, dev, inode, path;
            fields >> range >> p >> offset >> dev >> inode >> path;
            bool file = !path.empty() && path[0] == '/';
            maps.push_back({start, static_cast<long>((end - start) >> 10), 0, 0, file, path.empty()});
        } else if (line.rfind("Rss:", 0) == 0 && !maps.empty()) {
            maps.back().rss_kib = std::atol(line.c_str() + 4);
        } else if (line.rfind("AnonHugePages:", 0) == 0 && !maps.empty()) {
            maps.back().huge_kib = std::atol(line.c_str() + 14);
        }
    }
    const Mapping* guest = nullptr;
    for (auto& m : maps)
        if (m.anonymous && m.size_kib * 1024 >= guest_bytes && (!guest || m.size_kib > guest->size_kib)) guest = &m;
    long vm_rss = status_field(pid, "VmRSS");
    if (!guest || vm_rss < 0) return std::nullopt;
    Memory mem{vm_rss, guest->rss_kib, guest->size_kib, guest->huge_kib, guest->start, 0, 0};
    for (auto& m : maps) {
        if (&m == guest) continue;
        (m.file ? mem.file_kib : mem.anon_kib) += m.rss_kib;
    }
    return mem;
}

int usage() {
    std::fprintf(stderr,
                 "usage: startup_timer [--console FILE] [--memory BYTES] -- COMMAND [ARGS...]\n"
                 "  --console FILE  keep the command's stdout in FILE, each line after the ms it arrived at\n"
                 "  --memory BYTES  sample /proc/PID/smaps; the guest RAM is an anonymous mapping of BYTES\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    const char* console_path = nullptr;
    long guest_bytes = 0;
    int i = 1;
    for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
        if (std::strcmp(argv[i], "--console") == 0 && i + 1 < argc) console_path = argv[++i];
        else if (std::strcmp(argv[i], "--memory") == 0 && i + 1 < argc) guest_bytes = std::atol(argv[++i]);
        else return usage();
    }
    if (i + 1 >= argc) return usage();
    char** command = argv + i + 1;

    int console = open(console_path ? console_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int pipe_fds[2];
    if (console < 0 || pipe2(pipe_fds, O_CLOEXEC) != 0) {
        std::perror("startup_timer");
        return 1;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);

    double start = now_ms();
    pid_t pid = 0;
    int spawned = posix_spawnp(&pid, command[0], &actions, nullptr, command, environ);
    if (spawned != 0) {
        std::fprintf(stderr, "startup_timer: %s: %s\n", command[0], std::strerror(spawned));
        return 1;
    }
    close(pipe_fds[1]);

    // Read until the pipe closes, sampling memory between reads when asked.
    double first_byte = -1, last_byte = -1;
    std::string stamped;
    bool line_start = true;
    std::optional<Memory> memory;
    int samples = 0;
    double next_sample = 0;
    constexpr int sample_every_ms = 20;
    char buffer[4096];
    for (;;) {
        pollfd p{pipe_fds[0], POLLIN, 0};
        int ready = poll(&p, 1, guest_bytes ? sample_every_ms : -1);
        if (ready > 0) {
            ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
            if (n <= 0) break;
            last_byte = now_ms() - start;
            if (first_byte < 0) first_byte = last_byte;
            // Each line as it arrives, after the time it began to arrive.
            for (ssize_t at = 0; at < n; ++at) {
                if (line_start) {
                    char stamp[32];
                    std::snprintf(stamp, sizeof stamp, "%10.3f | ", last_byte);
                    stamped += stamp;
                }
                stamped += buffer[at];
                line_start = buffer[at] == '\n';
            }
        }
        if (guest_bytes && now_ms() >= next_sample) {
            next_sample = now_ms() + sample_every_ms;
            if (auto m = sample(pid, guest_bytes)) {
                memory = m;
                ++samples;
            }
        }
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    double exited = now_ms() - start;
    if (write(console, stamped.data(), stamped.size()) != static_cast<ssize_t>(stamped.size()))
        std::perror("startup_timer: console");

    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::printf("first_byte_ms=%.3f last_byte_ms=%.3f exit_ms=%.3f status=%d maxrss_kib=%ld", first_byte, last_byte,
                exited, code, usage.ru_maxrss);
    if (memory)
        std::printf(" vmrss_kib=%ld guest_rss_kib=%ld guest_size_kib=%ld guest_huge_kib=%ld guest_start=%#lx"
                    " other_file_kib=%ld other_anon_kib=%ld samples=%d",
                    memory->vm_rss_kib, memory->guest_kib, memory->guest_size_kib, memory->guest_huge_kib,
                    memory->guest_start, memory->file_kib, memory->anon_kib, samples);
    std::printf("\n");
    return 0;
}
