// Debian's own Linux (the vmlinux inside linux-image-amd64's vmlinuz) with a busybox
// initramfs (scripts/linux-guest.sh), on cocoon: it boots to userland on the platform
// cocoon describes (ACPI tables, kvm-clock), drives three disks with Debian's own
// virtio_mmio and virtio_blk modules (scripts/linux/scenarios/disks.sh), and ends the
// run itself with a reboot.
#include <sys/stat.h>

#include <fstream>
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/run_cocoon.h"

using cocoon::test::build_path;

namespace {

// reboot=k: the reset through the i8042, which ends cocoon's run.
constexpr const char* cocoon_cmdline = "console=ttyS0 panic=-1 reboot=k cocoon.scenario=disks";
constexpr size_t disk_size = 16 << 20, readonly_size = 4 << 20;

std::string seq(uint64_t first, uint64_t last) {
    std::string text;
    for (uint64_t i = first; i <= last; ++i) text += std::to_string(i) + '\n';
    return text;
}

// In one read: byte by byte, 36 MiB took a minute in a debug build under the nested runner.
std::string read_image(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    std::string bytes(static_cast<size_t>(std::max<std::streamoff>(in.tellg(), 0)), '\0');
    in.seekg(0);
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return bytes;
}

// Three images in `dir` for one VMM: two zeroed and writable, one of random bytes,
// read-only; made anew unless `keep`.
struct Images {
    std::string a, b, readonly, readonly_bytes;
    Images(const std::string& dir, bool keep) : a(dir + "/a.img"), b(dir + "/b.img"), readonly(dir + "/ro.img") {
        std::mt19937 random(7);
        readonly_bytes.resize(readonly_size);
        for (char& c : readonly_bytes) c = static_cast<char>(random());
        if (keep) return;
        mkdir(dir.c_str(), 0755);
        std::ofstream(a, std::ios::binary | std::ios::trunc) << std::string(disk_size, '\0');
        std::ofstream(b, std::ios::binary | std::ios::trunc) << std::string(disk_size, '\0');
        std::ofstream(readonly, std::ios::binary | std::ios::trunc) << readonly_bytes;
    }
};

struct LinuxRun {
    cocoon::test::CocoonRun run;
    std::string a, b, readonly;  // the images after the VMM exited
    std::string readonly_before;
};

// One run for every test here (ctest runs each in a process of its own): the run and
// its images are kept for this build of cocoon.
const LinuxRun& on_cocoon() {
    static const LinuxRun result = [] {
        std::string dir = build_path("tests/kvm/linux-run");
        Images images(dir, cocoon::test::kept_run_is_current(dir));
        LinuxRun r;
        r.run = cocoon::test::run_cocoon_once(
            dir,
            {"run", "--kernel", build_path("linux/vmlinux"), "--initrd", build_path("linux/init.cpio"), "--mem", "256M",
             "--disk", images.a, "--disk", images.b, "--disk", images.readonly + ",ro", "--cmdline", cocoon_cmdline,
             "--timeout", "600"},
            std::chrono::seconds(660), 0);
        r.a = read_image(images.a), r.b = read_image(images.b), r.readonly = read_image(images.readonly);
        r.readonly_before = images.readonly_bytes;
        return r;
    }();
    return result;
}

TEST(LinuxGuest, BootsToUserlandOnKvmClockAndEndsTheRunByRebooting) {
    COCOON_REQUIRE_KVM();
    const auto& r = on_cocoon();
    EXPECT_EQ(r.run.status, 0) << r.run.err;
    EXPECT_NE(r.run.out.find("linux-guest: userland reached"), std::string::npos) << r.run.out;
    EXPECT_NE(r.run.out.find("linux-guest: clocksource kvm-clock\r\n"), std::string::npos) << r.run.out;
    EXPECT_NE(r.run.out.find("linux-guest: scenario disks ended with status 0"), std::string::npos) << r.run.out;
    EXPECT_NE(r.run.err.find("the guest reset the machine (i8042)"), std::string::npos) << r.run.err;
    for (const char* complaint : {"Kernel panic", "BUG:", "Firmware Bug", "APIC id mismatch", "Oops"})
        EXPECT_EQ(r.run.out.find(complaint), std::string::npos) << complaint << " in\n" << r.run.out;
    // The devices came from the ACPI tables: Debian's virtio_mmio reads no command line.
    EXPECT_NE(r.run.out.find("ACPI: Using ACPI (MADT) for SMP configuration information"), std::string::npos);
    EXPECT_NE(r.run.out.find("linux-guest: disk vda: 32768 sectors, ro=0"), std::string::npos) << r.run.out;
    EXPECT_NE(r.run.out.find("linux-guest: disk vdc: 8192 sectors, ro=1"), std::string::npos) << r.run.out;
}

// `seq 1 100000` through dd with O_DIRECT from sector 0: on the host, the image holds it.
TEST(LinuxGuest, ADirectWriteLandsInTheImage) {
    COCOON_REQUIRE_KVM();
    const auto& r = on_cocoon();
    ASSERT_EQ(r.a.size(), disk_size);
    std::string pattern = seq(1, 100000);
    EXPECT_EQ(r.a.substr(0, pattern.size()), pattern);
    size_t padded = (pattern.size() + 4095) / 4096 * 4096;
    EXPECT_EQ(r.a.substr(pattern.size(), padded - pattern.size()), std::string(padded - pattern.size(), '\0'));
}

// Four dd jobs at once over two disks, many requests in flight: every region exact.
TEST(LinuxGuest, FourJobsAtOnceOverTwoDisksAreByteExact) {
    COCOON_REQUIRE_KVM();
    const auto& r = on_cocoon();
    EXPECT_NE(r.run.out.find("linux-guest: parallel jobs done: 0 bad regions"), std::string::npos) << r.run.out;
    const struct {
        const std::string* image;
        size_t mib;
        uint64_t first;
    } jobs[] = {{&r.a, 4, 1000000}, {&r.a, 8, 2000000}, {&r.b, 4, 3000000}, {&r.b, 8, 4000000}};
    for (const auto& job : jobs) {
        ASSERT_EQ(job.image->size(), disk_size);
        EXPECT_TRUE(job.image->compare(job.mib << 20, 1 << 20, seq(job.first, job.first + 150000), 0, 1 << 20) == 0)
            << "the region at " << job.mib << " MiB";
    }
}

TEST(LinuxGuest, AReadOnlyDiskRefusesWritesAndItsImageIsUnchanged) {
    COCOON_REQUIRE_KVM();
    const auto& r = on_cocoon();
    EXPECT_NE(r.run.out.find("linux-guest: read-only disk: write refused"), std::string::npos) << r.run.out;
    EXPECT_TRUE(r.readonly == r.readonly_before);
}

} // namespace
