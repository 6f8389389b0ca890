#include "vmm/vcpu/exit_counts.h"

namespace cocoon::vmm {
namespace {

template <typename Address>
void count_at(std::map<Address, uint64_t>& counts, Address address, uint64_t exits) {
    if (auto known = counts.find(address); known != counts.end()) known->second += exits;
    else if (counts.size() < ExitTally::max_addresses) counts.emplace(address, exits);
}

} // namespace

void ExitTally::add(const kvm_run& exit) {
    ++by_reason[exit.exit_reason < by_reason.size() ? exit.exit_reason : KVM_EXIT_UNKNOWN];
    if (exit.exit_reason == KVM_EXIT_IO) count_at(by_port, exit.io.port, 1);
    if (exit.exit_reason == KVM_EXIT_MMIO) count_at(by_mmio_address, static_cast<uint64_t>(exit.mmio.phys_addr), 1);
}

ExitTally& ExitTally::operator+=(const ExitTally& other) {
    for (size_t i = 0; i < by_reason.size(); ++i) by_reason[i] += other.by_reason[i];
    for (auto [port, exits] : other.by_port) count_at(by_port, port, exits);
    for (auto [address, exits] : other.by_mmio_address) count_at(by_mmio_address, address, exits);
    return *this;
}

void ExitCounts::add(const kvm_run& exit) {
    std::lock_guard lock(mutex_);
    tally_.add(exit);
}

ExitTally ExitCounts::snapshot() const {
    std::lock_guard lock(mutex_);
    return tally_;
}

} // namespace cocoon::vmm
