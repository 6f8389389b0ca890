// The kernel image is W^X (guest/kernel/arch/kernel_image.cpp): its test build writes
// to its own text and read-only data and jumps into its data, and each access ends in
// a kernel panic that names it; the maps of a process show the kernel half's rights.
#include <sys/stat.h>

#include <string>

#include <gtest/gtest.h>

#include "support/files.h"
#include "support/run_cocoon.h"

using cocoon::test::build_path;
using cocoon::test::contains;
using cocoon::test::read_file;

namespace {

cocoon::test::CocoonRun selftest(const std::string& what) {
    return cocoon::test::run_cocoon({"run", "--kernel", build_path("guest/cocoon-kernel-selftest.elf"), "--cmdline",
                                     "selftest=" + what, "--timeout", "120"},
                                    std::chrono::seconds(180));
}

void expect_panic(const std::string& what, const std::string& reason) {
    auto run = selftest(what);
    EXPECT_EQ(run.status, 2) << what << ":\n" << run.out << run.err;  // guest_status::kernel_panic
    EXPECT_TRUE(contains(run.out, "[kernel] selftest " + what + "\n")) << run.out;
    EXPECT_TRUE(contains(run.out, "[kernel] PANIC: in kernel mode: page fault: " + reason + " at ffffffff8")) << run.out;
    EXPECT_FALSE(contains(run.out, "no fault")) << run.out;
}

TEST(KernelImage, AWriteToItsTextPanics) {
    COCOON_REQUIRE_KVM();
    expect_panic("write-text", "write to read-only page");
}

TEST(KernelImage, AWriteToItsReadOnlyDataPanics) {
    COCOON_REQUIRE_KVM();
    expect_panic("write-rodata", "write to read-only page");
}

TEST(KernelImage, AJumpIntoItsDataPanics) {
    COCOON_REQUIRE_KVM();
    expect_panic("exec-data", "execute from no-execute page");
}

// A process's map: the kernel half holds text (r-x), read-only data (r--) and data and
// the direct map (rw-), and nothing both writable and executable.
TEST(KernelImage, MapsShowTheKernelHalfWithoutWritableCode) {
    COCOON_REQUIRE_KVM();
    std::string maps = build_path("tests/kvm/kernel-image-maps");
    mkdir(maps.c_str(), 0755);
    auto run = cocoon::test::run_cocoon({"run", "--cmdline", "init=hello", "--maps-out", maps, "--timeout", "120"},
                                        std::chrono::seconds(180));
    ASSERT_EQ(run.status, 0) << run.out << run.err;
    std::string map = read_file(maps + "/hello-1.txt");
    ASSERT_TRUE(contains(map, "(shared by every process; pages r-x ")) << map;
    EXPECT_TRUE(contains(map, ", rwx 0)")) << map;
    EXPECT_FALSE(contains(map, "pages r-x 0,")) << map;
    EXPECT_FALSE(contains(map, ", r-- 0,")) << map;
}

} // namespace
