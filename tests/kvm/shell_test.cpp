// The shell on cocoon's console (init=sh), typed into cocoon's stdin through a pipe:
// jobs, ps, kill and Ctrl-C; Ctrl-C at the prompt, the quantum, raw mode, Ctrl-D; 16
// KiB pasted into a waiting reader and a line too long for the console.
#include <gtest/gtest.h>

#include "support/run_cocoon.h"
#include "support/shell_session.h"

namespace {

namespace shell = cocoon::test::shell;

cocoon::test::CocoonRun run_shell(const std::vector<cocoon::test::TypeAfter>& typing) {
    return cocoon::test::run_cocoon({"run", "--timeout", "240", "--cmdline", "init=sh"}, std::chrono::seconds(300),
                                    std::nullopt, typing);
}

TEST(Shell, JobsRunBesideItAndEndByKillOrCtrlC) {
    COCOON_REQUIRE_KVM();
    auto run = run_shell(shell::jobs_session());
    EXPECT_EQ(run.status, 0) << run.out << run.err;
    shell::expect_jobs_session(run.out);
}

TEST(Shell, CtrlCAtThePromptTheQuantumRawModeAndCtrlD) {
    COCOON_REQUIRE_KVM();
    auto run = run_shell(shell::console_session());
    EXPECT_EQ(run.status, 0) << run.out << run.err;
    shell::expect_console_session(run.out);
}

// cocoon's UART keeps 4 KiB of what the host sends and drops the rest (it reads its
// stdin whatever the guest does), so the 16 KiB go in pastes of 4 KiB, each once the
// one before has gone through the UART; within one, nothing may be lost.
TEST(Shell, PastedInputReachesAWaitingReaderWholeAndAnOverlongLineIsCut) {
    COCOON_REQUIRE_KVM();
    auto run = run_shell(shell::paste_session(64));
    EXPECT_EQ(run.status, 0) << run.out << run.err;
    shell::expect_paste_session(run.out);
}

} // namespace
