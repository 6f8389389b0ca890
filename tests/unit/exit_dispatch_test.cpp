// The exit dispatcher on made-up exits, with no KVM: accesses reach their bus, and each
// way a guest can end maps to its exit status.
#include "vmm/vcpu/exit_dispatch.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/made_up_exit.h"
#include "vmm/exit_status.h"

using namespace cocoon::vmm;

namespace {

// Remembers each access and answers reads with 0xa0 + the offset of each byte.
struct Recorder : Device {
    struct Access {
        uint64_t offset;
        std::vector<uint8_t> bytes;
        bool operator==(const Access&) const = default;
    };
    std::vector<Access> reads, writes;
    void read(uint64_t offset, std::span<uint8_t> data) override {
        for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(0xa0 + offset + i);
        reads.push_back({offset, {data.begin(), data.end()}});
    }
    void write(uint64_t offset, std::span<const uint8_t> data) override {
        writes.push_back({offset, {data.begin(), data.end()}});
    }
};

class ExitDispatch : public ::testing::Test {
protected:
    ExitDispatch() {
        pio.add(0x3f8, 8, uart);
        mmio.add(0xd0000000, 0x200, disk);
    }
    ExitOutcome dispatch(kvm_run& exit, bool debugger = false) { return dispatch_exit(exit, {pio, mmio, debugger}); }
    // The exit stops the guest with this status, this reason for the summary and this error line.
    void expect_stop(kvm_run& exit, int status, const std::string& reason, const std::string& error) {
        ExitOutcome outcome = dispatch(exit);
        ASSERT_TRUE(std::holds_alternative<exit_outcome::Stop>(outcome)) << "exit reason " << exit.exit_reason;
        const auto& stop = std::get<exit_outcome::Stop>(outcome);
        EXPECT_EQ(stop.status, status);
        EXPECT_EQ(stop.reason, reason);
        EXPECT_EQ(stop.error, error);
    }

    Bus pio{"port"}, mmio{"mmio"};
    Recorder uart, disk;
    test::MadeUpExit exit;
};

using Access = Recorder::Access;

TEST_F(ExitDispatch, APortWriteReachesItsDeviceAndTheGuestResumes) {
    ExitOutcome outcome = dispatch(exit.port_out(0x3f8, 1, {'h'}));
    EXPECT_TRUE(std::holds_alternative<exit_outcome::Resume>(outcome));
    EXPECT_EQ(uart.writes, (std::vector<Access>{{0, {'h'}}}));
}

TEST_F(ExitDispatch, APortReadAnswersTheGuestFromItsDevice) {
    ExitOutcome outcome = dispatch(exit.port_in(0x3fd, 2));
    EXPECT_TRUE(std::holds_alternative<exit_outcome::Resume>(outcome));
    EXPECT_EQ(uart.reads, (std::vector<Access>{{5, {0xa5, 0xa6}}}));
    EXPECT_EQ(std::vector<uint8_t>(exit.io_data().begin(), exit.io_data().end()), (std::vector<uint8_t>{0xa5, 0xa6}));
}

TEST_F(ExitDispatch, StringIoIsOneAccessPerElementInOrder) {
    dispatch(exit.port_out(0x3f8, 2, {1, 2, 3, 4, 5, 6}));  // rep outsw, three words
    EXPECT_EQ(uart.writes, (std::vector<Access>{{0, {1, 2}}, {0, {3, 4}}, {0, {5, 6}}}));
    dispatch(exit.port_in(0x3f9, 1, 3));  // rep insb
    EXPECT_EQ(uart.reads.size(), 3u);
    EXPECT_EQ(std::vector<uint8_t>(exit.io_data().begin(), exit.io_data().end()),
              (std::vector<uint8_t>{0xa1, 0xa1, 0xa1}));
}

TEST_F(ExitDispatch, AnUnclaimedPortReadsAllOnes) {
    ExitOutcome outcome = dispatch(exit.port_in(0x2f8, 1));
    EXPECT_TRUE(std::holds_alternative<exit_outcome::Resume>(outcome));
    EXPECT_EQ(exit.io_data()[0], 0xff);
    EXPECT_EQ(pio.unclaimed_accesses(), 1u);
}

TEST_F(ExitDispatch, MmioWritesAndReadsReachTheirDevice) {
    EXPECT_TRUE(std::holds_alternative<exit_outcome::Resume>(dispatch(exit.mmio_write(0xd0000050, {1, 0, 0, 0}))));
    EXPECT_EQ(disk.writes, (std::vector<Access>{{0x50, {1, 0, 0, 0}}}));
    kvm_run& read = exit.mmio_read(0xd0000070, 4);
    EXPECT_TRUE(std::holds_alternative<exit_outcome::Resume>(dispatch(read)));
    EXPECT_EQ(disk.reads, (std::vector<Access>{{0x70, {0x10, 0x11, 0x12, 0x13}}}));
    EXPECT_EQ(read.mmio.data[0], 0x10);
    EXPECT_EQ(read.mmio.data[3], 0x13);
}

TEST_F(ExitDispatch, AnMmioLengthPastItsDataIsCutToTheData) {
    dispatch(exit.mmio_read(0xd0000000, 4096));
    ASSERT_EQ(disk.reads.size(), 1u);
    EXPECT_EQ(disk.reads[0].bytes.size(), sizeof(kvm_run{}.mmio.data));
}

TEST_F(ExitDispatch, AnInterruptedRunResumes) {
    EXPECT_TRUE(std::holds_alternative<exit_outcome::Resume>(dispatch(exit.of_reason(KVM_EXIT_INTR))));
}

TEST_F(ExitDispatch, ATripleFaultStopsWithItsStatus) {
    expect_stop(exit.of_reason(KVM_EXIT_SHUTDOWN), exit_status::triple_fault, "guest triple fault",
                "guest triple-faulted (KVM_EXIT_SHUTDOWN)");
}

TEST_F(ExitDispatch, AKvmInternalErrorStopsNamingItsSuberror) {
    kvm_run& error = exit.of_reason(KVM_EXIT_INTERNAL_ERROR);
    error.internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
    expect_stop(error, exit_status::kvm_internal_error, "KVM internal error 1", "KVM internal error, suberror 1");
}

TEST_F(ExitDispatch, AFailedEntryStopsNamingTheHardwareReason) {
    kvm_run& failure = exit.of_reason(KVM_EXIT_FAIL_ENTRY);
    failure.fail_entry.hardware_entry_failure_reason = 0x21;
    expect_stop(failure, exit_status::fail_entry, "VM entry failed", "VM entry failed, hardware reason 0x21");
}

TEST_F(ExitDispatch, AnExitCocoonDoesNotHandleStopsTheGuest) {
    // KVM_EXIT_HLT comes only without the in-kernel irqchip.
    expect_stop(exit.of_reason(KVM_EXIT_HLT), exit_status::guest_stopped, "unexpected KVM exit 5",
                "guest stopped with KVM exit 5 (hlt)");
    expect_stop(exit.of_reason(1000), exit_status::guest_stopped, "unexpected KVM exit 1000",
                "guest stopped with KVM exit 1000 (other)");
}

TEST_F(ExitDispatch, ADebugExitWithoutADebuggerStopsTheGuest) {
    expect_stop(exit.of_reason(KVM_EXIT_DEBUG), exit_status::guest_stopped, "unexpected KVM exit 4",
                "guest stopped with KVM exit 4 (debug)");
}

TEST_F(ExitDispatch, ADebugExitGoesToTheDebugger) {
    kvm_run& debug = exit.of_reason(KVM_EXIT_DEBUG);
    debug.debug.arch.exception = 3;
    debug.debug.arch.dr6 = 0xffff0ff0;
    ExitOutcome outcome = dispatch(debug, true);
    ASSERT_TRUE(std::holds_alternative<exit_outcome::Debug>(outcome));
    EXPECT_EQ(std::get<exit_outcome::Debug>(outcome).arch.exception, 3u);
    EXPECT_EQ(std::get<exit_outcome::Debug>(outcome).arch.dr6, 0xffff0ff0u);
}

} // namespace
