// Running the real `cocoon` binary from a test (support/run_program.h runs any program).
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "support/run_program.h"

namespace cocoon::test {

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
