// Running the real `cocoon` binary (or QEMU, as the reference) from a test: its exit
// status and what it printed.
#pragma once
#include <chrono>
#include <optional>
#include <sys/types.h>
#include <string>
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

// run_program of COCOON_BIN.
CocoonRun run_cocoon(const std::vector<std::string>& args,
                     std::chrono::seconds timeout = std::chrono::seconds(300),
                     const std::optional<SignalAfter>& signal = std::nullopt,
                     const std::vector<TypeAfter>& typing = {});

// The same, once per build of cocoon: ctest runs each test in a process of its own, and
// a long run several tests look at is kept in `dir` (console, log, status) for the
// later ones, when it ended with `keep_status`.
CocoonRun run_program_once(const std::string& dir, const std::string& program, const std::vector<std::string>& args,
                           std::chrono::seconds timeout, int keep_status);
CocoonRun run_cocoon_once(const std::string& dir, const std::vector<std::string>& args,
                          std::chrono::seconds timeout, int keep_status);

// Whether `dir` holds a run that run_cocoon_once kept for this build of cocoon (a test
// whose run leaves files beside it makes them only when it does not).
bool kept_run_is_current(const std::string& dir);

// Empty when /dev/kvm can be opened; otherwise why not, for a failing assertion.
std::string kvm_unavailable_reason();

// Path of a file in the build tree, e.g. build_path("tests/kvm/guests/hello.elf").
std::string build_path(const std::string& relative);

} // namespace cocoon::test

// Fails the test (never skips) when KVM is missing.
#define COCOON_REQUIRE_KVM() \
    ASSERT_EQ(::cocoon::test::kvm_unavailable_reason(), "") << "KVM tests need KVM: run them through scripts/with-kvm.sh"
