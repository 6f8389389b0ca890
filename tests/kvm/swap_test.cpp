// Swap on real KVM: two programs that each want more memory than the machine has get
// it, byte for byte, from a swap disk, while a small program keeps getting its turns;
// when RAM and swap are both gone, the program that asked is killed and the rest go on.
#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "support/run_cocoon.h"

using cocoon::test::build_path;
using cocoon::test::run_cocoon;

namespace {

std::string swap_image(const std::string& name, size_t mib) {
    std::string path = build_path("tests/kvm/" + name);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << std::string(mib << 20, '\0');
    return path;
}

size_t count(const std::string& text, const std::string& pattern) {
    std::regex re(pattern);
    return static_cast<size_t>(std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

// Every frame and slot came back: the last "frames: F free of T; swap: U of S" line
// matches the one the kernel wrote before the first process started.
void expect_everything_returned(const std::string& err) {
    std::regex line("frames: ([0-9]+) free of ([0-9]+); swap: ([0-9]+) of [0-9]+ slots used");
    size_t first_spawn = err.find(" spawn ");
    std::string start_free, end_free, end_swap;
    for (auto it = std::sregex_iterator(err.begin(), err.end(), line); it != std::sregex_iterator(); ++it) {
        if (static_cast<size_t>(it->position()) < first_spawn) start_free = (*it)[1];
        end_free = (*it)[1];
        end_swap = (*it)[3];
    }
    ASSERT_FALSE(start_free.empty()) << "no frames line before the first spawn";
    EXPECT_EQ(end_free, start_free) << "frames leaked";
    EXPECT_EQ(end_swap, "0") << "swap slots leaked";
}

TEST(Swap, ProgramsUseMoreMemoryThanTheMachineHasAndLoseNothing) {
    COCOON_REQUIRE_KVM();
    auto run = run_cocoon({"run", "--mem", "16M", "--disk", build_path("guest/programs.tar") + ",ro", "--disk",
                           swap_image("swap.img", 64), "--cmdline", "init=swapper,swapper,ticker swap=1",
                           "--log-level", "debug", "--timeout", "900"},
                          std::chrono::seconds(900));
    EXPECT_EQ(run.status, 0) << run.out;
    EXPECT_NE(run.out.find("[kernel] swap on disk 1: 65536 KiB"), std::string::npos) << run.out;
    EXPECT_EQ(count(run.out, "swapper pid=[0-9]+: verified 16 MiB, 0 bad words\n"), 2u) << run.out;
    EXPECT_EQ(count(run.out, "ticker pid=3: tick [0-9]+ at"), 10u) << run.out;  // it still got its turns
    size_t outs = count(run.err, "page-out swapper#[0-9]+ 0x[0-9a-f]+ \\(frame 0x[0-9a-f]+\\) → swap slot [0-9]+ \\(written\\)");
    size_t ins = count(run.err, "page-in swapper#[0-9]+ 0x[0-9a-f]+ ← swap slot");
    EXPECT_GT(outs, 2000u);  // 32 MiB of pattern through a machine with about 9 MiB free
    EXPECT_GT(ins, 1000u);
    // Pages read back and not changed leave again without a write: the copy is kept.
    EXPECT_GT(count(run.err, "\\(clean: its copy was still there\\)"), 0u);
    expect_everything_returned(run.err);
}

TEST(Swap, WhenRamAndSwapAreGoneTheProgramThatAskedIsKilled) {
    COCOON_REQUIRE_KVM();
    auto run = run_cocoon({"run", "--mem", "16M", "--disk", build_path("guest/programs.tar") + ",ro", "--disk",
                           swap_image("small-swap.img", 4), "--cmdline", "init=swapper,ticker swap=1", "--log-level",
                           "debug", "--timeout", "600"},
                          std::chrono::seconds(600));
    EXPECT_EQ(run.status, 1) << run.out;  // some process failed
    EXPECT_TRUE(std::regex_search(run.out, std::regex("\\[kernel\\] killed swapper \\(pid 1\\): out of memory at")))
        << run.out;
    EXPECT_EQ(count(run.out, "ticker pid=2: tick [0-9]+ at"), 10u) << run.out;
    expect_everything_returned(run.err);
}

} // namespace
