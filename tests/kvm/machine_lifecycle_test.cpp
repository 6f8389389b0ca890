// Resources: 200 machines built, run and torn down one after another in this process.
// Every KVM object, thread, eventfd and mapping must go with its machine. What a leak
// would change is counted exactly, on every build: open file descriptors, threads,
// the guest-RAM and kvm_run mappings. The heap is LeakSanitizer's to check in the ASan
// build; resident memory is compared only in the plain build, where it is stable
// (ASan's allocator grows in steps that are its own, not the program's).
#include <dirent.h>
#include <malloc.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "support/run_cocoon.h"
#include "vmm/machine/machine.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

using cocoon::test::build_path;

namespace {

size_t entries(const char* folder) {
    size_t count = 0;
    DIR* dir = opendir(folder);
    while (dirent* entry = readdir(dir)) count += entry->d_name[0] != '.';
    closedir(dir);
    return count;
}

// The process's mappings of the two kinds a machine makes: guest RAM (the only memory
// cocoon advises for huge pages: "hg" among its VmFlags) and kvm_run (a vCPU's fd).
struct Mappings {
    size_t guest_ram = 0, kvm_run = 0;
    bool operator==(const Mappings&) const = default;
};

Mappings machine_mappings() {
    Mappings m;
    std::ifstream smaps("/proc/self/smaps");
    for (std::string line; std::getline(smaps, line);) {
        if (line.find("anon_inode:kvm-vcpu") != std::string::npos) ++m.kvm_run;
        if (line.rfind("VmFlags:", 0) == 0 && (line + " ").find(" hg ") != std::string::npos) ++m.guest_ram;
    }
    return m;
}

struct Resources {
    size_t fds, threads;
    Mappings mappings;
    bool operator==(const Resources&) const = default;
};

Resources resources() { return {entries("/proc/self/fd"), entries("/proc/self/task"), machine_mappings()}; }

std::ostream& operator<<(std::ostream& out, const Resources& r) {
    return out << r.fds << " fds, " << r.threads << " threads, " << r.mappings.guest_ram << " guest RAM and "
               << r.mappings.kvm_run << " kvm_run mappings";
}

#ifndef __SANITIZE_ADDRESS__
// Resident memory once glibc has given its free pages back.
size_t resident_kib() {
    malloc_trim(0);
    std::ifstream statm("/proc/self/statm");
    size_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * 4;
}
#endif

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
    const Resources before = resources();
    ASSERT_EQ(before.mappings, Mappings{});
#ifndef __SANITIZE_ADDRESS__
    size_t kib_after_20 = 0;
#endif
    for (int i = 1; i <= 200; ++i) {
        {
            cocoon::vmm::Machine machine(options, {kernel, {}});
            // The probes see what a machine holds (else a leak would go unseen).
            if (i == 1) {
                Mappings live = machine_mappings();
                EXPECT_EQ(live.guest_ram, 1u);
                EXPECT_EQ(live.kvm_run, 1u);
            }
            ASSERT_EQ(machine.run(), 0) << "machine " << i;
        }
        Resources after = resources();
        ASSERT_EQ(after, before) << "after machine " << i << ": " << after << ", before the first: " << before;
#ifndef __SANITIZE_ADDRESS__
        if (i == 20) kib_after_20 = resident_kib();
#endif
    }
    spdlog::set_level(quiet);
#ifdef __SANITIZE_ADDRESS__
    EXPECT_EQ(__lsan_do_recoverable_leak_check(), 0) << "LeakSanitizer found the heap blocks above unreachable";
#else
    // A leak of one machine's RAM (16 MiB), or of 20 KiB a machine, would show.
    size_t kib_after_200 = resident_kib();
    std::printf("resident: %zu KiB after 20 machines, %zu KiB after 200\n", kib_after_20, kib_after_200);
    EXPECT_LT(kib_after_200, kib_after_20 + 3072) << "resident memory grew from " << kib_after_20 << " KiB";
#endif
}

} // namespace
