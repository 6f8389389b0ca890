// The disk on real KVM: the kernel finds a virtio-blk device on its command line and
// loads its programs from it; requests reach cocoon through the ioeventfd, not through
// exits; a malformed image is refused before the guest runs.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <vector>

#include <gtest/gtest.h>

#include "support/files.h"
#include "support/run_cocoon.h"

using cocoon::test::build_path;
using cocoon::test::read_file;
using cocoon::test::run_cocoon;

namespace {

uint64_t number_after(const std::string& text, const std::string& pattern) {
    std::smatch m;
    if (!std::regex_search(text, m, std::regex(pattern))) return 0;
    return std::stoull(m[1]);
}

TEST(Disk, ProgramsLoadFromAReadOnlyDiskWithoutAnExitPerRequest) {
    COCOON_REQUIRE_KVM();
    auto run = run_cocoon({"run", "--disk", build_path("guest/programs.tar") + ",ro", "--cmdline",
                           "init=hello,transparency,transparency", "--timeout", "300"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_TRUE(std::regex_search(run.out, std::regex("\\[kernel\\] disk 0: virtio-blk at d0000000, IRQ 5, [0-9]+ "
                                                      "KiB, read-only\n")))
        << run.out;
    EXPECT_NE(run.out.find("[kernel] programs from disk 0"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("hello from pid 1\n"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("transparency pid=3 addr=0x402000 value=3\n"), std::string::npos) << run.out;
    EXPECT_NE(run.err.find("programs.tar (read-only)"), std::string::npos) << run.err;  // cocoon names the image
    uint64_t reads = number_after(run.err, "disk 0: ([0-9]+) reads");
    uint64_t doorbells = number_after(run.err, "([0-9]+) notifications by ioeventfd");
    EXPECT_GE(reads, 2u) << run.err;
    EXPECT_EQ(doorbells, reads) << run.err;  // every request arrived by ioeventfd
    // Setting up the device takes MMIO exits; requests and their completions none:
    // QueueNotify (0x50) and InterruptACK (0x64) are ioeventfds, InterruptStatus (0x60)
    // is never read.
    std::smatch exits;
    ASSERT_TRUE(std::regex_search(run.err, exits, std::regex("MMIO exits by address: ([^\n]*)"))) << run.err;
    for (const char* hot : {"0xd0000050:", "0xd0000060:", "0xd0000064:"})
        EXPECT_EQ(exits[1].str().find(hot), std::string::npos) << hot << " in " << exits[1];
}

// A scratch image of `sectors` zeroed sectors in the build tree (the nested runner
// shares it read-write).
std::string scratch_image(const std::string& name, size_t sectors) {
    std::string path = build_path("tests/kvm/" + name);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << std::string(sectors * 512, '\0');
    return path;
}

TEST(Disk, ProgramsReadAndWriteDisksAndBadRequestsFailCleanly) {
    COCOON_REQUIRE_KVM();
    std::string scratch = scratch_image("scratch.img", 256);
    auto run = run_cocoon({"run", "--disk", build_path("guest/programs.tar") + ",ro", "--disk", scratch, "--cmdline",
                           "init=disktest", "--timeout", "300"});
    EXPECT_EQ(run.status, 0) << run.out << run.err;
    EXPECT_NE(run.out.find("disktest: write to the read-only disk: -30, as expected"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("disktest: disk 1 has 256 sectors"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("disktest: 64 KiB written (0), flushed (0), read back (0): 0 bytes differ"),
              std::string::npos) << run.out;
    for (const char* line : {"read past the end", "read of part of a sector", "read into kernel memory",
                             "read into my own code", "read from a disk that is not there"})
        EXPECT_TRUE(std::regex_search(run.out, std::regex(std::string("disktest: ") + line + ": -[0-9]+, as expected")))
            << line << "\n" << run.out;
    // What the program wrote is in the image, where it wrote it (sector 8 on).
    std::string image = read_file(scratch);
    ASSERT_EQ(image.size(), 256u * 512);
    for (size_t i = 0; i < 64 * 1024; i += 4099)
        EXPECT_EQ(static_cast<uint8_t>(image[8 * 512 + i]), static_cast<uint8_t>(i * 7 + 3)) << i;
    EXPECT_EQ(image[0], 0);
    EXPECT_NE(run.err.find("disk 1: 1 reads (64 KiB), 1 writes (64 KiB), 1 flushes"), std::string::npos) << run.err;
}

// SIGKILL right after the guest saw its flush complete: the data must be in the image.
TEST(Disk, FlushedDataSurvivesSigkill) {
    COCOON_REQUIRE_KVM();
    std::string scratch = scratch_image("durable.img", 16);
    auto vm = cocoon::test::start_program({COCOON_BIN, "run", "--disk", build_path("guest/programs.tar") + ",ro", "--disk",
                                           scratch, "--cmdline", "init=diskmark", "--timeout", "300", "--log-level",
                                           "error"});
    ASSERT_GE(vm.out_fd, 0);
    std::string seen;
    char buffer[256];
    ssize_t n;
    while (seen.find("diskmark: written 0, flushed 0") == std::string::npos && (n = read(vm.out_fd, buffer, sizeof buffer)) > 0)
        seen.append(buffer, static_cast<size_t>(n));
    kill(vm.pid, SIGKILL);
    int status = 0;
    waitpid(vm.pid, &status, 0);
    close(vm.out_fd);
    ASSERT_NE(seen.find("diskmark: written 0, flushed 0"), std::string::npos) << seen;
    EXPECT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(read_file(scratch).substr(0, 26), "cocoon flushed this sector");
}

TEST(Disk, AnImageThatIsNotWholeSectorsIsRefusedBeforeTheGuestRuns) {
    COCOON_REQUIRE_KVM();
    std::string path = build_path("tests/kvm/odd-size.img");
    std::ofstream(path) << "not a whole sector";
    auto run = run_cocoon({"run", "--disk", path, "--timeout", "60"});
    EXPECT_EQ(run.status, 65) << run.err;
    EXPECT_NE(run.err.find("is not a whole number of 512-byte sectors"), std::string::npos) << run.err;
    EXPECT_EQ(run.out, "");
}

TEST(Disk, AMissingImageIsAClearError) {
    COCOON_REQUIRE_KVM();
    auto run = run_cocoon({"run", "--disk", build_path("tests/kvm/no-such.img"), "--timeout", "60"});
    EXPECT_EQ(run.status, 66) << run.err;
    EXPECT_NE(run.err.find("no-such.img: No such file or directory"), std::string::npos) << run.err;
}

} // namespace
