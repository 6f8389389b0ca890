// The trace device (include/cocoon/trace.h): the kernel announces a ring in its RAM;
// cocoon drains it on a short period from the event thread, when the kernel rings the
// doorbell (an ioeventfd: the vCPU does not stop) and at once when the kernel kicks
// (ring full, or before it frees a process's page tables). Every header
// field and record is re-read from guest memory and checked: a bad ring is refused, a
// gap in sequence numbers is reported, nothing the guest writes can make cocoon loop
// or read outside RAM.
#pragma once
#include <atomic>
#include <mutex>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "vmm/bus/device.h"
#include "vmm/kvm/event_fd.h"
#include "vmm/kvm/kvm.h"
#include "vmm/memory/guest_memory.h"
#include "vmm/trace/event_log.h"

namespace cocoon::vmm {

class TraceDevice : public Device {
public:
    TraceDevice(Vm& vm, const GuestMemory& memory, boost::asio::io_context& events, uint32_t tsc_khz, EventLog& log);
    // Without a VM, hence without the doorbell's ioeventfd: the doorbell is then a port
    // write like the kick. For what runs without KVM (tests/fuzz).
    TraceDevice(const GuestMemory& memory, boost::asio::io_context& events, uint32_t tsc_khz, EventLog& log);
    void read(uint64_t offset, std::span<uint8_t> data) override;
    void write(uint64_t offset, std::span<const uint8_t> data) override;
    void drain();       // any thread
    uint64_t lost() const { return lost_; }
    uint64_t doorbells() const { return doorbells_; }

private:
    void arm_ring(uint64_t gpa);
    void problem(const std::string& message);  // an error line, the first few only
    void schedule_drain();
    void wait_for_doorbell();

    const GuestMemory& memory_;
    boost::asio::steady_timer timer_;
    EventFd doorbell_;
    boost::asio::posix::stream_descriptor doorbell_waiter_;
    uint64_t doorbells_ = 0;
    uint32_t tsc_khz_;
    EventLog& log_;
    std::mutex mutex_;
    uint32_t ring_lo_ = 0;
    uint64_t ring_ = 0;          // 0: no ring armed
    uint32_t capacity_ = 0;
    uint64_t expected_seq_ = 0;
    uint64_t lost_ = 0;
    uint64_t problems_ = 0;      // bad rings and lies, logged up to a limit
};

} // namespace cocoon::vmm
