// Resources: 200 machines built, run and torn down one after another in this process.
// Every KVM object, thread, eventfd and mapping must go with its machine: the open
// file descriptors and the resident memory after the last are what they were after
// the twentieth (LeakSanitizer checks the heap too in the ASan build).
#include <dirent.h>
#include <malloc.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "support/run_cocoon.h"
#include "vmm/machine.h"

using cocoon::test::build_path;

namespace {

size_t open_fds() {
    size_t count = 0;
    DIR* dir = opendir("/proc/self/fd");
    while (dirent* entry = readdir(dir)) count += entry->d_name[0] != '.';
    closedir(dir);
    return count;
}

#ifdef __SANITIZE_ADDRESS__
extern "C" void __sanitizer_purge_allocator();
#endif

// Resident memory once freed memory has gone back to the kernel: ASan holds freed
// blocks in its quarantine (up to 256 MiB) and glibc keeps free pages in its arenas,
// and either would hide what is live behind what is merely not yet returned.
size_t resident_kib() {
#ifdef __SANITIZE_ADDRESS__
    __sanitizer_purge_allocator();
#endif
    malloc_trim(0);
    std::ifstream statm("/proc/self/statm");
    size_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * 4;
}

TEST(MachineLifecycle, TwoHundredMachinesInOneProcessLeaveNothingBehind) {
    COCOON_REQUIRE_KVM();
    std::ifstream file(build_path("tests/kvm/guests/hello.elf"), std::ios::binary);
    std::vector<uint8_t> kernel{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    ASSERT_FALSE(kernel.empty());
    cocoon::vmm::RunOptions options;
    options.mem = 16ull << 20;
    options.timeout_s = 60;
    auto quiet = spdlog::default_logger()->level();
    spdlog::set_level(spdlog::level::off);
    std::fflush(stdout);
    size_t fds_before = open_fds(), fds_after_20 = 0, kib_after_20 = 0;
    for (int i = 1; i <= 200; ++i) {
        {
            cocoon::vmm::Machine machine(options, {kernel, {}});
            ASSERT_EQ(machine.run(), 0) << "machine " << i;
        }
        // Every 20 machines, so that ASan's held memory never builds up between purges
        // (one purge after 200 machines once left 7 MiB more than one after 20), and
        // the printed trend tells a leak (steady growth) from noise.
        if (i % 20 == 0) std::printf("resident after %d machines: %zu KiB\n", i, resident_kib());
        if (i == 20) fds_after_20 = open_fds(), kib_after_20 = resident_kib();
    }
    spdlog::set_level(quiet);
    EXPECT_EQ(fds_after_20, fds_before);
    EXPECT_EQ(open_fds(), fds_before);
    // A leak of one machine's RAM (16 MiB), or of 20 KiB a machine, would show.
    size_t kib_after_200 = resident_kib();
    std::printf("resident: %zu KiB after 20 machines, %zu KiB after 200\n", kib_after_20, kib_after_200);
    EXPECT_LT(kib_after_200, kib_after_20 + 4096) << "resident memory grew from " << kib_after_20 << " KiB";
}

} // namespace
