// Durability: cocoon is SIGKILLed at random moments while `journal` writes and flushes
// one record after another; every record the guest saw flushed must be in the image.
// COCOON_DURABILITY_TRIALS sets the number of trials (scripts/durability.sh runs more).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "support/files.h"
#include "support/run_cocoon.h"

using cocoon::test::build_path;
using cocoon::test::read_file;

namespace {

int trials() {
    const char* n = std::getenv("COCOON_DURABILITY_TRIALS");
    return n ? std::atoi(n) : 50;
}

// Starts cocoon on `image`, reads its console until `flushes` records were announced
// (or it ended), waits `extra_us` more, kills it. Returns the console it saw.
std::string run_and_kill(const std::string& image, int flushes, int extra_us) {
    auto vm = cocoon::test::start_program({COCOON_BIN, "run", "--mem", "32M", "--disk", image, "--cmdline",
                                           "init=journal", "--timeout", "120", "--log-level", "error"});
    if (vm.out_fd < 0) return "pipe failed";
    std::string seen;
    char buffer[512];
    ssize_t n;
    auto announced = [&] {
        size_t count = 0;
        for (size_t at = seen.find("flushed "); at != std::string::npos; at = seen.find("flushed ", at + 1)) ++count;
        return count;
    };
    while (announced() < static_cast<size_t>(flushes) && (n = read(vm.out_fd, buffer, sizeof buffer)) > 0)
        seen.append(buffer, static_cast<size_t>(n));
    usleep(static_cast<useconds_t>(extra_us));
    kill(vm.pid, SIGKILL);
    while ((n = read(vm.out_fd, buffer, sizeof buffer)) > 0) seen.append(buffer, static_cast<size_t>(n));
    waitpid(vm.pid, nullptr, 0);
    close(vm.out_fd);
    return seen;
}

TEST(Durability, FlushedRecordsSurviveSigkillAtRandomMoments) {
    COCOON_REQUIRE_KVM();
    std::mt19937 random(20261125);
    // Outside the shared build folder: a SIGKILL of cocoon loses nothing the host
    // kernel has, so where the image lives does not change what is tested, only speed.
    std::string image = ::testing::TempDir() + "cocoon-journal.img";
    int checked = 0;
    for (int trial = 0; trial < trials(); ++trial) {
        std::ofstream(image, std::ios::binary | std::ios::trunc) << std::string(256 * 512, '\0');
        int flushes = std::uniform_int_distribution<int>(0, 30)(random);
        int extra_us = std::uniform_int_distribution<int>(0, 20000)(random);
        std::string seen = run_and_kill(image, flushes, extra_us);
        std::string disk = read_file(image);
        ASSERT_EQ(disk.size(), 256u * 512) << "trial " << trial;
        std::regex flushed("journal: flushed ([0-9]+)\n");
        for (auto it = std::sregex_iterator(seen.begin(), seen.end(), flushed); it != std::sregex_iterator(); ++it) {
            int k = std::stoi((*it)[1]);
            std::string want = "journal record " + std::to_string(k);
            ASSERT_EQ(disk.substr(static_cast<size_t>(k) * 512, want.size()), want)
                << "trial " << trial << ": record " << k << " was announced flushed but is not in the image";
            ++checked;
        }
    }
    EXPECT_GT(checked, trials() * 5) << "too few records were checked for the test to mean much";
    RecordProperty("records_checked", checked);
    std::remove(image.c_str());
}

} // namespace
