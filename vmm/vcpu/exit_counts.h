// Exits to user space counted by KVM exit reason, by port and by MMIO address: the cost
// the design works to remove, as the summary reports it. Each vCPU keeps its own
// ExitCounts, which only its own thread adds to, so vCPUs never wait for each other;
// any thread may take a snapshot, and the snapshots of several vCPUs add up.
#pragma once
#include <linux/kvm.h>

#include <array>
#include <cstdint>
#include <map>
#include <mutex>

namespace cocoon::vmm {

struct ExitTally {
    // A guest that walks every port or MMIO page does not get a 65,536-entry line in the
    // summary: only the first addresses seen are counted by address.
    static constexpr size_t max_addresses = 256;

    std::array<uint64_t, 64> by_reason{};  // a reason beyond these counts as 0, KVM_EXIT_UNKNOWN
    std::map<uint16_t, uint64_t> by_port;
    std::map<uint64_t, uint64_t> by_mmio_address;

    void add(const kvm_run& exit);
    ExitTally& operator+=(const ExitTally& other);
};

class ExitCounts {
public:
    void add(const kvm_run& exit);  // the vCPU's thread, once per exit
    ExitTally snapshot() const;     // any thread

private:
    mutable std::mutex mutex_;  // taken by one thread but for a snapshot: uncontended
    ExitTally tally_;
};

} // namespace cocoon::vmm
