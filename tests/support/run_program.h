// Running a program from a test (cocoon, or QEMU as the reference): its exit status,
// what it printed, and keys typed on its stdin along the way. The KVM tests and the
// QEMU cross-checks share it.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace cocoon::test {

struct CocoonRun {
    int status = -1;          // exit status, or 128 + signal
    std::string out;          // the guest's console (stdout)
    std::string err;          // cocoon's log (stderr)
};

// A signal sent to cocoon once its log contains `after`.
struct SignalAfter {
    int signal;
    std::string after;
};

// Keys typed on the program's stdin once its stdout shows `after`: each step waits for
// its text past where the previous step's appeared.
struct TypeAfter {
    std::string after;
    std::string keys;
};

// Runs `program` with `args` and kills it after `timeout`. Its stdin is /dev/null, or a
// pipe when it has keys to be typed (closed after the last).
CocoonRun run_program(const std::string& program, const std::vector<std::string>& args, std::chrono::seconds timeout,
                      const std::optional<SignalAfter>& signal = std::nullopt,
                      const std::vector<TypeAfter>& typing = {});

// A program started in the background, stdin from /dev/null. With `out` (and `err`,
// which may be the same path) its stdout and stderr go to those files; without, its
// stdout comes through a pipe, `out_fd`, and its stderr is the test's own.
struct Started {
    pid_t pid = -1;
    int out_fd = -1;
};
Started start_program(const std::vector<std::string>& argv, const std::string& out = "",
                      const std::string& err = "");

} // namespace cocoon::test
