// Debian's own Linux (the vmlinux inside linux-image-amd64's vmlinuz) with a busybox
// initramfs (scripts/linux-guest.sh), on cocoon: it boots to userland on the platform
// cocoon describes (ACPI tables, kvm-clock), drives three disks with Debian's own
// virtio_mmio and virtio_blk modules (scripts/linux/scenarios/disks.sh), and ends the
// run itself with a reboot; QEMU's microvm under the same KVM passes the same checks.
#include <sys/stat.h>

#include <fstream>
#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/files.h"
#include "support/run_cocoon.h"

using cocoon::test::build_path;
using cocoon::test::read_file;

namespace {

// reboot=k: the reset through the i8042, which ends cocoon's run.
constexpr const char* cocoon_cmdline = "console=ttyS0 panic=-1 reboot=k cocoon.scenario=disks";
// reboot=t: a triple fault, which -no-reboot makes QEMU's end (Linux's default reboot on
// microvm stops after "reboot: machine restart" under the nested runner's KVM).
constexpr const char* qemu_cmdline = "console=ttyS0 panic=-1 reboot=t cocoon.scenario=disks";
constexpr size_t disk_size = 16 << 20, readonly_size = 4 << 20;

std::string seq(uint64_t first, uint64_t last) {
    std::string text;
    for (uint64_t i = first; i <= last; ++i) text += std::to_string(i) + '\n';
    return text;
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

enum class Vmm { cocoon, qemu };

std::string name(Vmm vmm) { return vmm == Vmm::cocoon ? "cocoon" : "qemu"; }

// The VMM's command line for Linux on three disks: a and b writable, then `readonly`.
std::pair<std::string, std::vector<std::string>> command(Vmm vmm, const Images& images) {
    std::string kernel = build_path("linux/vmlinux"), initrd = build_path("linux/init.cpio");
    if (vmm == Vmm::cocoon)
        return {COCOON_BIN,
                {"run", "--kernel", kernel, "--initrd", initrd, "--mem", "256M", "--disk", images.a, "--disk", images.b,
                 "--disk", images.readonly + ",ro", "--cmdline", cocoon_cmdline, "--timeout", "600"}};
    // The reference: QEMU's microvm under the same KVM, the disks in the same order.
    std::vector<std::string> args{"-M", "microvm", "-accel", "kvm", "-cpu", "host", "-m", "256M", "-nodefaults",
                                  "-no-user-config", "-nographic", "-serial", "stdio", "-no-reboot", "-kernel", kernel,
                                  "-initrd", initrd, "-append", qemu_cmdline, "-global",
                                  "virtio-mmio.force-legacy=false"};
    const struct {
        std::string id, file, flags;
    } disks[] = {{"a", images.a, ""}, {"b", images.b, ""}, {"ro", images.readonly, ",readonly=on"}};
    for (const auto& d : disks)
        args.insert(args.end(), {"-drive", "id=" + d.id + ",if=none,format=raw,file=" + d.file + d.flags, "-device",
                                 "virtio-blk-device,drive=" + d.id});
    return {"/usr/bin/qemu-system-x86_64", args};
}

// One run per VMM for every test here (ctest runs each in a process of its own): the
// run and its images are kept for this build of cocoon.
const LinuxRun& linux_run(Vmm vmm) {
    static std::map<Vmm, LinuxRun> runs;
    if (auto it = runs.find(vmm); it != runs.end()) return it->second;
    std::string dir = build_path("tests/kvm/linux-run-" + name(vmm));
    Images images(dir, cocoon::test::kept_run_is_current(dir));
    auto [program, args] = command(vmm, images);
    LinuxRun& r = runs[vmm];
    r.run = cocoon::test::run_program_once(dir, program, args, std::chrono::seconds(660), 0);
    r.a = read_file(images.a), r.b = read_file(images.b), r.readonly = read_file(images.readonly);
    r.readonly_before = images.readonly_bytes;
    return r;
}

class LinuxGuest : public testing::TestWithParam<Vmm> {
protected:
    const LinuxRun& run() { return linux_run(GetParam()); }
};

TEST_P(LinuxGuest, BootsToUserlandOnKvmClockAndEndsTheRunByRebooting) {
    COCOON_REQUIRE_KVM();
    const auto& r = run();
    EXPECT_EQ(r.run.status, 0) << r.run.err;
    EXPECT_NE(r.run.out.find("linux-guest: userland reached"), std::string::npos) << r.run.out;
    EXPECT_NE(r.run.out.find("linux-guest: clocksource kvm-clock\r\n"), std::string::npos) << r.run.out;
    EXPECT_NE(r.run.out.find("linux-guest: scenario disks ended with status 0"), std::string::npos) << r.run.out;
    if (GetParam() == Vmm::cocoon) {
        EXPECT_NE(r.run.err.find("the guest reset the machine (i8042)"), std::string::npos) << r.run.err;
    }
    for (const char* complaint : {"Kernel panic", "BUG:", "Firmware Bug", "APIC id mismatch", "Oops"})
        EXPECT_EQ(r.run.out.find(complaint), std::string::npos) << complaint << " in\n" << r.run.out;
    // The devices came from the ACPI tables: Debian's virtio_mmio reads no command line.
    EXPECT_NE(r.run.out.find("ACPI: Using ACPI (MADT) for SMP configuration information"), std::string::npos);
    EXPECT_NE(r.run.out.find("linux-guest: disk vda: 32768 sectors, ro=0"), std::string::npos) << r.run.out;
    EXPECT_NE(r.run.out.find("linux-guest: disk vdb: 32768 sectors, ro=0"), std::string::npos) << r.run.out;
    EXPECT_NE(r.run.out.find("linux-guest: disk vdc: 8192 sectors, ro=1"), std::string::npos) << r.run.out;
}

// `seq 1 100000` through dd with O_DIRECT from sector 0: on the host, the image holds it.
TEST_P(LinuxGuest, ADirectWriteLandsInTheImage) {
    COCOON_REQUIRE_KVM();
    const auto& r = run();
    ASSERT_EQ(r.a.size(), disk_size);
    std::string pattern = seq(1, 100000);
    EXPECT_EQ(r.a.substr(0, pattern.size()), pattern);
    size_t padded = (pattern.size() + 4095) / 4096 * 4096;
    EXPECT_EQ(r.a.substr(pattern.size(), padded - pattern.size()), std::string(padded - pattern.size(), '\0'));
}

// Four dd jobs at once over two disks, many requests in flight: every region exact.
TEST_P(LinuxGuest, FourJobsAtOnceOverTwoDisksAreByteExact) {
    COCOON_REQUIRE_KVM();
    const auto& r = run();
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

TEST_P(LinuxGuest, AReadOnlyDiskRefusesWritesAndItsImageIsUnchanged) {
    COCOON_REQUIRE_KVM();
    const auto& r = run();
    EXPECT_NE(r.run.out.find("linux-guest: read-only disk: write refused"), std::string::npos) << r.run.out;
    EXPECT_TRUE(r.readonly == r.readonly_before);
}

// Every check on cocoon, and the same on QEMU's microvm: the checks test Linux's view of
// a machine, not cocoon's view of itself.
INSTANTIATE_TEST_SUITE_P(Vmm, LinuxGuest, testing::Values(Vmm::cocoon, Vmm::qemu),
                         [](const testing::TestParamInfo<Vmm>& info) { return name(info.param); });

} // namespace

namespace {

// No scenario: the initramfs's interactive shell, on cocoon's console from a pipe. A
// command typed at the prompt answers; `reboot -f` typed next ends the run. It is typed
// once the answer's line has ended: Linux's tty echoes input as it comes, so keys typed
// while a line is being written may land inside it.
TEST(LinuxShell, ACommandTypedAtThePromptAnswersAndRebootEndsTheRun) {
    COCOON_REQUIRE_KVM();
    auto run = cocoon::test::run_cocoon(
        {"run", "--kernel", build_path("linux/vmlinux"), "--initrd", build_path("linux/init.cpio"), "--mem", "256M",
         "--cmdline", "console=ttyS0 panic=-1 reboot=k", "--timeout", "600"},
        std::chrono::seconds(660), std::nullopt,
        {{"linux-guest: a busybox shell", ""}, {"# ", "echo typed $((6 * 7))\n"}, {"\ntyped 42\r\n", "reboot -f\n"}});
    EXPECT_EQ(run.status, 0) << run.err;
    // The echo of what was typed, then the shell's answer on a line of its own.
    EXPECT_NE(run.out.find("echo typed $((6 * 7))"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("\ntyped 42\r\n"), std::string::npos) << run.out;
}

// Four vCPUs: Linux starts the three it finds in the MADT itself (INIT and SIPI through
// KVM's local APIC), each with the APIC ID its CPUID reports, and counts four CPUs; its
// reboot, from whichever CPU, ends every vCPU's thread.
TEST(LinuxSmp, FourVcpusAreFourCpusToLinux) {
    COCOON_REQUIRE_KVM();
    auto run = cocoon::test::run_cocoon(
        {"run", "--kernel", build_path("linux/vmlinux"), "--initrd", build_path("linux/init.cpio"), "--mem", "256M",
         "--cpus", "4", "--cmdline",
         "console=ttyS0 panic=-1 reboot=k "
         "cocoon.run=echo,linux-guest:,$(nproc),CPUs,$(grep,-c,^processor,/proc/cpuinfo),processors",
         "--timeout", "600"},
        std::chrono::seconds(660));
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_NE(run.out.find("smp: Brought up 1 node, 4 CPUs"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("linux-guest: 4 CPUs 4 processors"), std::string::npos) << run.out;
    for (const char* complaint : {"Kernel panic", "BUG:", "Firmware Bug", "APIC id mismatch", "Oops"})
        EXPECT_EQ(run.out.find(complaint), std::string::npos) << complaint << " in\n" << run.out;
    for (int vcpu = 0; vcpu < 4; ++vcpu)
        EXPECT_NE(run.err.find("vCPU " + std::to_string(vcpu) + ": exits to user space"), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find("never started"), std::string::npos) << run.err;
}

// A module that turns interrupts off and spins: no tick or host interrupt reaches Linux
// again, and cocoon's --timeout ends the run all the same, with its reason. The boot
// takes about 20 s under ASan in the nested runner: 45 s leaves it twice that, and keeps
// the spin short (a nested run's rare stall came once while this guest spun).
TEST(LinuxSpin, TimeoutEndsLinuxSpinningWithInterruptsOff) {
    COCOON_REQUIRE_KVM();
    auto run = cocoon::test::run_cocoon(
        {"run", "--kernel", build_path("linux/vmlinux"), "--initrd", build_path("linux/init.cpio"), "--mem", "256M",
         "--cmdline", "console=ttyS0 panic=-1 reboot=k cocoon.scenario=spin-irqs-off", "--timeout", "45"},
        std::chrono::seconds(300));
    EXPECT_NE(run.out.find("spin_irqs_off: spinning with interrupts off"), std::string::npos) << run.out;
    EXPECT_EQ(run.out.find("scenario spin-irqs-off ended"), std::string::npos) << run.out;
    EXPECT_EQ(run.status, 124) << run.err;
    EXPECT_NE(run.err.find("timed out after 45 s"), std::string::npos) << run.err;
}

} // namespace
