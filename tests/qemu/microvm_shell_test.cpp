// The shell sessions of tests/kvm/shell_test.cpp on QEMU's microvm, whose 16550 raises
// IRQ 4 as cocoon's does: the kernel's console input is the standard device's, not
// cocoon's. QEMU reads its stdin only while the UART has room, so here the 16 KiB go in
// one paste.
#include <gtest/gtest.h>

#include "support/run_program.h"
#include "support/shell_session.h"

namespace {

namespace shell = cocoon::test::shell;

// The guest's exit status through isa-debug-exit: QEMU exits (status << 1) | 1.
constexpr int guest_exited_0 = 1;

cocoon::test::CocoonRun run_shell(const std::vector<cocoon::test::TypeAfter>& typing) {
    std::string guest = std::string(COCOON_BINARY_DIR) + "/guest/";
    return cocoon::test::run_program(
        "/usr/bin/qemu-system-x86_64",
        {"-M", "microvm,ioapic2=off", "-cpu", "max", "-m", "256M", "-nodefaults", "-no-user-config", "-display",
         "none", "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel",
         guest + "cocoon-kernel.elf", "-initrd", guest + "programs.tar", "-append", "init=sh"},
        std::chrono::seconds(300), std::nullopt, typing);
}

TEST(MicrovmShell, JobsRunBesideItAndEndByKillOrCtrlC) {
    auto run = run_shell(shell::jobs_session());
    EXPECT_EQ(run.status, guest_exited_0) << run.out << run.err;
    shell::expect_jobs_session(run.out);
}

TEST(MicrovmShell, CtrlCAtThePromptTheQuantumRawModeAndCtrlD) {
    auto run = run_shell(shell::console_session());
    EXPECT_EQ(run.status, guest_exited_0) << run.out << run.err;
    shell::expect_console_session(run.out);
}

TEST(MicrovmShell, PastedInputReachesAWaitingReaderWholeAndAnOverlongLineIsCut) {
    auto run = run_shell(shell::paste_session(shell::pasted_line_count));
    EXPECT_EQ(run.status, guest_exited_0) << run.out << run.err;
    shell::expect_paste_session(run.out);
}

} // namespace
