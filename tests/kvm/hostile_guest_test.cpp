// Hostile guests (tests/kvm/guests/hostile/): tiny PVH kernels that attack cocoon
// through every door it has — every port, every virtio-mmio register, malformed
// descriptor chains, lying trace rings, the fastest timer, a triple fault in the middle
// of disk I/O. cocoon must survive each (the exit status the guest chose, never a
// signal), say what happened, touch nothing outside its disk images, stay within bounds
// of memory and log, and finish before its --timeout.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/files.h"
#include "support/run_cocoon.h"

using cocoon::test::build_path;
using cocoon::test::contains;
using cocoon::test::read_file;

namespace {

// What run_cocoon gives, and what the host paid for it.
struct HostileRun {
    int status = -1;       // exit status, or 128 + signal
    std::string out, err;  // the guest's console, cocoon's log
    double seconds = 0;    // wall time
    double cpu_seconds = 0;
    long max_rss_kib = 0;
    bool killed = false;   // still running at the deadline
};

// Runs cocoon on the hostile guest `name` with `args` and --timeout `timeout_s`; kills it
// if it is still there 60 s after that. Output goes through files, and wait4 gives the
// child's own CPU time and peak memory.
HostileRun run_hostile(const std::string& name, std::vector<std::string> args, int timeout_s) {
    std::string out_path = build_path("tests/kvm/hostile_" + name + ".out");
    std::string err_path = build_path("tests/kvm/hostile_" + name + ".err");
    std::string guest = build_path("tests/kvm/guests/hostile_" + name + ".elf");
    std::vector<std::string> all = {COCOON_BIN, "run", "--kernel", guest, "--timeout", std::to_string(timeout_s)};
    all.insert(all.end(), args.begin(), args.end());
    auto started = std::chrono::steady_clock::now();
    pid_t pid = cocoon::test::start_program(all, out_path, err_path).pid;
    HostileRun run;
    int status = 0;
    rusage usage{};
    auto deadline = started + std::chrono::seconds(timeout_s + 60);
    while (wait4(pid, &status, WNOHANG, &usage) == 0) {
        if (std::chrono::steady_clock::now() > deadline && !run.killed) {
            kill(pid, SIGKILL);
            run.killed = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    run.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    run.cpu_seconds = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                      double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    run.max_rss_kib = usage.ru_maxrss;
    run.out = read_file(out_path);
    run.err = read_file(err_path);
    return run;
}

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

uint64_t number_after(const std::string& text, const std::string& pattern) {
    std::smatch m;
    return std::regex_search(text, m, std::regex(pattern)) ? std::stoull(m[1]) : 0;
}

// Survived: ended with `status` by itself before its timeout, no sanitizer report, a
// bounded log, bounded memory (512 MiB: the ASan build included), and said why it stopped.
void expect_survived(const HostileRun& run, int status) {
    std::string tail = run.err.size() > 8000 ? run.err.substr(run.err.size() - 8000) : run.err;
    EXPECT_FALSE(run.killed) << "cocoon outlived its own --timeout\n" << tail;
    EXPECT_EQ(run.status, status) << (run.status > 128 ? "killed by a signal\n" : "") << tail;
    for (const char* report : {"AddressSanitizer", "LeakSanitizer", "runtime error:"})
        EXPECT_FALSE(contains(run.err, report)) << report << "\n" << tail;
    EXPECT_TRUE(std::regex_search(run.err, std::regex("stopped after [0-9.]+ s: .*\\(exit status " +
                                                      std::to_string(status) + "\\)")))
        << tail;
    // Whatever the guest did, cocoon's log stays readable: no line per exit.
    EXPECT_LT(run.err.size(), 256u * 1024) << tail;
    EXPECT_LT(run.max_rss_kib, 512 * 1024) << tail;
}

// A disk image of `sectors` sectors; byte i of sector s is s * 31 + i (mod 256).
std::string patterned_image(const std::string& name, uint64_t sectors) {
    std::string path = build_path("tests/kvm/hostile_" + name + ".img");
    std::string bytes(sectors * 512, '\0');
    for (uint64_t s = 0; s < sectors; ++s)
        for (uint64_t i = 0; i < 512; ++i) bytes[s * 512 + i] = static_cast<char>(s * 31 + i);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    return path;
}

TEST(HostileGuest, PortStormOverEveryPortIsSurvived) {
    COCOON_REQUIRE_KVM();
    auto run = run_hostile("port_storm", {}, 900);
    expect_survived(run, 0);
    EXPECT_TRUE(run.out.ends_with("survived\n")) << run.out.substr(run.out.size() > 400 ? run.out.size() - 400 : 0);
    for (const char* pass : {"1-byte pass over 65532 ports", "2-byte pass over 65531 ports",
                             "4-byte pass over 65529 ports"})
        EXPECT_TRUE(contains(run.out, pass)) << pass;
    EXPECT_TRUE(contains(run.err, "guest wrote 0 to the exit port"));
    // Unclaimed ports are logged, once each and at most 256 of them.
    EXPECT_TRUE(contains(run.err, "unclaimed port write of 1 byte at 0x0")) << run.err.substr(0, 4000);
    EXPECT_EQ(count(run.err, "unclaimed port"), 256u);
    EXPECT_GE(number_after(run.err, "unclaimed accesses: ([0-9]+) port"), 3u * 65000);
    // Random values reached the trace device's ring registers: refused, not armed.
    EXPECT_TRUE(contains(run.err, "trace: refused the ring announced at"));
    // Exits are counted by port for the first 256 ports only: one short summary line.
    std::smatch by_port;
    ASSERT_TRUE(std::regex_search(run.err, by_port, std::regex("port I/O exits by port: ([^\n]*)")));
    EXPECT_LT(by_port[1].length(), 8192);
}

TEST(HostileGuest, MmioStormOverTheVirtioWindowsIsSurvived) {
    COCOON_REQUIRE_KVM();
    std::string rw = patterned_image("mmio_rw", 64), ro = patterned_image("mmio_ro", 64);
    std::string ro_before = read_file(ro);
    auto run = run_hostile("mmio_storm", {"--disk", rw, "--disk", ro + ",ro"}, 600);
    expect_survived(run, 0);
    EXPECT_TRUE(contains(run.out, "mmio_storm: 400 rounds of hostile set-up")) << run.out;
    EXPECT_TRUE(contains(run.out, "read after the storm: used, status 0, the disk's pattern")) << run.out;
    EXPECT_TRUE(run.out.ends_with("survived\n")) << run.out;
    EXPECT_TRUE(contains(run.err, "unclaimed mmio")) << run.err.substr(0, 4000);
    // Refused queue set-ups are logged, the first eight per device.
    EXPECT_TRUE(contains(run.err, "virtio-mmio: queue 0 not started")) << run.err.substr(0, 4000);
    EXPECT_TRUE(contains(run.err, "(further refusals not logged)")) << run.err.substr(0, 4000);
    EXPECT_LE(count(run.err, "virtio-mmio: queue 0 not started"), 16u);
    EXPECT_EQ(read_file(ro), ro_before);  // the read-only image: not a byte changed
    EXPECT_EQ(read_file(rw).size(), 64u * 512);  // the other: written, perhaps, but not grown
}

TEST(HostileGuest, BadDescriptorsAreRefusedAndGoodRequestsStillWork) {
    COCOON_REQUIRE_KVM();
    std::string rw = patterned_image("desc_rw", 64), ro = patterned_image("desc_ro", 64);
    std::string rw_before = read_file(rw), ro_before = read_file(ro);
    auto run = run_hostile("bad_descriptors", {"--mem", "64M", "--disk", rw, "--disk", ro + ",ro"}, 300);
    expect_survived(run, 0);
    EXPECT_TRUE(std::regex_search(run.out, std::regex("bad_descriptors: ([0-9]+) of \\1 cases as expected")))
        << run.out;
    EXPECT_TRUE(contains(run.out, "good requests: write ok, flush ok, read back ok, read of the read-only disk ok"))
        << run.out;
    // The first eight malformed requests of disk 0 are logged, each naming its problem.
    for (const char* why : {"request at descriptor 0 refused: buffer at 0x4100000+0x200 is outside RAM",
                            "refused: descriptor chain from 0 loops",
                            "refused: indirect table of 17 bytes is not a whole number of descriptors",
                            "refused: an indirect table names another indirect table",
                            "refused: sectors 64+1 are past the end of the disk (64 sectors)",
                            "refused: data of 511 bytes is not whole sectors",
                            "queue stopped: available ring names descriptor 200 of a 16-entry table"})
        EXPECT_TRUE(contains(run.err, why)) << why << "\n" << run.err;
    EXPECT_TRUE(contains(run.err, "desc_ro.img: request at descriptor 0 refused: write to a read-only disk")) << run.err;
    EXPECT_GE(number_after(run.err, "disk 0: .* ([0-9]+) malformed"), 20u) << run.err;
    // The read-only image is as it was; the other differs only in sector 3, the good write.
    EXPECT_EQ(read_file(ro), ro_before);
    std::string rw_after = read_file(rw);
    ASSERT_EQ(rw_after.size(), rw_before.size());
    for (size_t i = 0; i < 512; ++i) rw_before[3 * 512 + i] = static_cast<char>(0xa5 ^ i);
    EXPECT_TRUE(rw_after == rw_before) << "disk 0 changed outside sector 3";
}

TEST(HostileGuest, BadTraceRingsAreRefusedAndLiesReported) {
    COCOON_REQUIRE_KVM();
    auto run = run_hostile("bad_trace_ring", {"--mem", "128M"}, 300);
    expect_survived(run, 0);
    EXPECT_TRUE(contains(run.out, "bad_trace_ring: good records were drained")) << run.out;
    EXPECT_EQ(count(run.err, "trace: refused the ring announced at"), 11u) << run.err;
    EXPECT_TRUE(contains(run.err, "trace: head 1000000000000 is 1000000000000 records past tail 0 in a ring of 16"))
        << run.err;
    EXPECT_TRUE(contains(run.err, "trace: head 1000000000003 is behind tail 1000000000008")) << run.err;
    // A lying head over 2^20 records: a line for the first wrong sequence number and one
    // with the count, not a line per record.
    EXPECT_TRUE(contains(run.err, "trace: record 1099510579200 carries sequence number 0: a gap")) << run.err;
    EXPECT_TRUE(contains(run.err, "trace: 1048576 records of this drain carried wrong sequence numbers")) << run.err;
    EXPECT_LE(count(run.err, "[cocoon error] trace:"), 34u) << run.err;
    EXPECT_TRUE(std::regex_search(run.err, std::regex("trace: [0-9]+ records lost"))) << run.err;
    // 65536 invented processes: the first 1024 are accounted, the rest counted together.
    EXPECT_TRUE(contains(run.err, "events of processes beyond the first 1024 are not in this table")) << run.err;
    EXPECT_LE(count(run.err, "  running\n"), 1024u);
}

TEST(HostileGuest, FastestPitDoesNotMeltTheHost) {
    COCOON_REQUIRE_KVM();
    auto run = run_hostile("fast_pit", {}, 300);
    expect_survived(run, 0);
    EXPECT_TRUE(run.out.ends_with("survived\n")) << run.out;
    // Divisor 1 asks for 1.19 MHz; cocoon gives at most 10 kHz, plus one per re-arm of
    // mode 0 (2000 of them), and two busy threads at the very most.
    double seconds = 0;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(run.err, m, std::regex("stopped after ([0-9.]+) s"))) << run.err;
    seconds = std::stod(m[1]);
    uint64_t interrupts = number_after(run.err, "timer interrupts injected by irqfd: ([0-9]+)");
    EXPECT_GT(interrupts, 0u) << run.err;
    EXPECT_LE(interrupts, 10000 * seconds + 2000 + 100) << run.err;
    EXPECT_LE(run.cpu_seconds, 2 * run.seconds + 1) << run.err;
}

TEST(HostileGuest, TripleFaultWithDiskReadsInFlightIsReportedCleanly) {
    COCOON_REQUIRE_KVM();
    std::string disk = build_path("tests/kvm/hostile_triple_fault.img");
    {
        std::ofstream(disk, std::ios::binary | std::ios::trunc);
    }
    ASSERT_EQ(truncate(disk.c_str(), 32 << 20), 0);
    auto run = run_hostile("triple_fault_mid_request", {"--mem", "128M", "--disk", disk}, 300);
    expect_survived(run, 80);
    EXPECT_TRUE(contains(run.out, "four 8 MiB reads submitted; faulting now")) << run.out;
    EXPECT_TRUE(contains(run.err, "guest triple-faulted (KVM_EXIT_SHUTDOWN)")) << run.err;
    std::string image = read_file(disk);
    EXPECT_EQ(image.size(), 32u << 20);
    EXPECT_EQ(image.find_first_not_of('\0'), std::string::npos);  // reads only: still all zeros
}

} // namespace
