// Exit counts per vCPU: by reason, by port, by MMIO address, each address table bounded.
#include "vmm/vcpu/exit_counts.h"

#include <thread>

#include <gtest/gtest.h>

#include "support/made_up_exit.h"

using namespace cocoon::vmm;

namespace {

TEST(ExitCounts, CountsByReasonPortAndMmioAddress) {
    ExitCounts counts;
    test::MadeUpExit exit;
    counts.add(exit.port_out(0x3f8, 1, {'a'}));
    counts.add(exit.port_out(0x3f8, 1, {'b'}));
    counts.add(exit.port_in(0x3fd, 1));
    counts.add(exit.mmio_read(0xd0000070, 4));
    counts.add(exit.of_reason(KVM_EXIT_SHUTDOWN));
    ExitTally tally = counts.snapshot();
    EXPECT_EQ(tally.by_reason[KVM_EXIT_IO], 3u);
    EXPECT_EQ(tally.by_reason[KVM_EXIT_MMIO], 1u);
    EXPECT_EQ(tally.by_reason[KVM_EXIT_SHUTDOWN], 1u);
    EXPECT_EQ(tally.by_port, (std::map<uint16_t, uint64_t>{{0x3f8, 2}, {0x3fd, 1}}));
    EXPECT_EQ(tally.by_mmio_address, (std::map<uint64_t, uint64_t>{{0xd0000070, 1}}));
}

TEST(ExitCounts, AReasonBeyondTheTableCountsAsUnknown) {
    ExitCounts counts;
    test::MadeUpExit exit;
    counts.add(exit.of_reason(1000));
    EXPECT_EQ(counts.snapshot().by_reason[KVM_EXIT_UNKNOWN], 1u);
}

TEST(ExitCounts, OnlyTheFirstAddressesAreCountedButThoseGoOnCounting) {
    ExitCounts counts;
    test::MadeUpExit exit;
    for (uint32_t i = 0; i < 1000; ++i) {
        counts.add(exit.port_in(static_cast<uint16_t>(i), 1));
        counts.add(exit.mmio_read(0xd0000000 + 8 * i, 4));
    }
    counts.add(exit.port_in(0, 1));
    counts.add(exit.port_in(999, 1));
    ExitTally tally = counts.snapshot();
    EXPECT_EQ(tally.by_reason[KVM_EXIT_IO], 1002u);
    ASSERT_EQ(tally.by_port.size(), ExitTally::max_addresses);
    EXPECT_EQ(tally.by_port[0], 2u);
    EXPECT_FALSE(tally.by_port.contains(999));
    EXPECT_EQ(tally.by_mmio_address.size(), ExitTally::max_addresses);
}

TEST(ExitCounts, TalliesOfSeveralVcpusAddUpWithinTheSameBound) {
    test::MadeUpExit exit;
    ExitTally first, second;
    for (uint16_t port = 0; port < 200; ++port) first.add(exit.port_in(port, 1));
    for (uint16_t port = 100; port < 400; ++port) second.add(exit.port_in(port, 1));
    second.add(exit.of_reason(KVM_EXIT_SHUTDOWN));
    first += second;
    EXPECT_EQ(first.by_reason[KVM_EXIT_IO], 500u);
    EXPECT_EQ(first.by_reason[KVM_EXIT_SHUTDOWN], 1u);
    EXPECT_EQ(first.by_port.size(), ExitTally::max_addresses);
    EXPECT_EQ(first.by_port[150], 2u);
    EXPECT_EQ(first.by_port[255], 1u);
    EXPECT_FALSE(first.by_port.contains(256));
}

TEST(ExitCounts, ASnapshotMayBeTakenWhileItsVcpuCounts) {
    ExitCounts counts;
    std::thread vcpu([&] {
        test::MadeUpExit exit;
        for (int i = 0; i < 100000; ++i) counts.add(exit.port_in(0x3f8, 1));
    });
    uint64_t seen = 0;
    while (seen < 100000) {
        uint64_t now = counts.snapshot().by_reason[KVM_EXIT_IO];
        EXPECT_GE(now, seen);
        seen = now;
    }
    vcpu.join();
    EXPECT_EQ(counts.snapshot().by_port.at(0x3f8), 100000u);
}

} // namespace
