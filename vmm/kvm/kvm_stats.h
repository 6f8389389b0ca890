// KVM's own statistics of one vCPU (or VM), read through its binary stats fd
// (KVM_GET_STATS_FD): the counters debugfs shows under kvm/, among them every exit KVM
// took, including those it handled without coming back to cocoon. cocoon's own counts
// are of exits to user space; the two side by side show what each path costs.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "vmm/kvm/unique_fd.h"

namespace cocoon::vmm {

class KvmStats {
public:
    // `fd` is a vCPU or VM fd. Without KVM_GET_STATS_FD (kernels before 5.14) the
    // statistics are simply absent: read() returns nothing.
    explicit KvmStats(int fd);

    // Every cumulative or instant counter by name (histograms are left out).
    std::map<std::string, uint64_t> read() const;

private:
    UniqueFd fd_;
};

// The counters in a KVM binary stats file (the layout of Documentation/virt/kvm/api.rst,
// KVM_GET_STATS_FD): each cumulative or instant single-value counter by name. Empty if
// the file is not one.
std::map<std::string, uint64_t> read_kvm_stats(int stats_fd);

} // namespace cocoon::vmm
