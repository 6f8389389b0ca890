// The trace device (include/cocoon/trace.h): the kernel announces a ring in its RAM;
// cocoon drains it on a short period from the event thread, when the kernel rings the
// doorbell (an ioeventfd: the vCPU does not stop) and at once when the kernel kicks
// (ring full, or before it frees a process's page tables). Every header
// field and record is re-read from guest memory and checked: a bad ring is refused, a
// gap in sequence numbers is reported, nothing the guest writes can make cocoon loop
// or read outside RAM.
//
// A drain has two halves. Taking copies the records out of the ring, decodes each into
// its event (vmm/trace/trace_event.h) with what must be read while it is fresh
// (EventLog::Snapshot), and frees the ring: a kick costs the waiting kernel no more than
// that. Handing over gives them to the EventLog (log lines,
// JSON, timeline: the slow part) on the event thread, so tracing does not stretch the
// guest's own timeline. Only when cocoon is max_backlog records behind does a kick hand
// over too, and the kernel waits for it.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

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
    static constexpr size_t max_backlog = 1 << 16;  // records taken, not yet handed over

    void drain();       // take and hand over: the event thread, or the main one at the end
    // A kick hands over too, before the guest resumes, as when cocoon is far behind: under
    // a debugger, so that the log has caught up with the guest whenever it is stopped.
    void hand_over_in_kicks() { hand_over_in_kicks_ = true; }
    uint64_t lost() const { return lost_; }
    uint64_t doorbells() const { return doorbells_; }

private:
    struct Taken {
        TraceEvent event;
        std::unique_ptr<EventLog::Snapshot> fresh;  // null when there was nothing to read
    };
    void arm_ring(uint32_t ring_hi);  // at the address ring_lo_ and this make
    void problem(const std::string& message);  // an error line, the first few only
    void schedule_drain();
    void wait_for_doorbell();
    void wait_for_backlog();
    void take_for_later();  // a vCPU thread: take, and let the event thread hand over
    void take();
    void hand_over();
    size_t backlog_size();

    const GuestMemory& memory_;
    boost::asio::steady_timer timer_;
    EventFd doorbell_;
    boost::asio::posix::stream_descriptor doorbell_waiter_;
    uint64_t doorbells_ = 0;
    EventFd backlog_ready_;      // a vCPU thread took records for the event thread
    boost::asio::posix::stream_descriptor backlog_waiter_;
    std::mutex hand_over_mutex_; // one hand-over at a time keeps the records in order
    // The two swap at each hand-over and keep their capacity: no allocation once warm.
    std::vector<Taken> backlog_; // under mutex_
    std::vector<Taken> handing_; // under hand_over_mutex_
    uint32_t tsc_khz_;
    EventLog& log_;
    std::mutex mutex_;           // the ring's state below, which any vCPU thread may reach
    uint32_t ring_lo_ = 0;
    uint64_t ring_ = 0;          // 0: no ring armed
    uint32_t capacity_ = 0;
    uint64_t expected_seq_ = 0;
    bool hand_over_in_kicks_ = false;
    uint64_t maps_taken_ = 0;    // exits mapped: EventLog::max_processes_tracked at most
    uint64_t lost_ = 0;
    uint64_t problems_ = 0;      // bad rings and lies, logged up to a limit
};

} // namespace cocoon::vmm
