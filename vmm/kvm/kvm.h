// The KVM objects, each owning its file descriptor: Kvm (/dev/kvm), Vm (one machine:
// memory slots, the in-kernel irqchip, ioeventfds and irqfds) and IrqFd (an interrupt a
// device raises without an exit). The vCPU is in vcpu.h.
#pragma once
#include <linux/kvm.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "vmm/bus/device.h"
#include "vmm/kvm/event_fd.h"
#include "vmm/kvm/unique_fd.h"
#include "vmm/memory/guest_memory.h"

namespace cocoon::vmm {

class Kvm {
public:
    // Opens /dev/kvm and checks the API version and every capability cocoon relies on.
    // Throws SetupError (kvm_unavailable) naming what is missing.
    Kvm();
    int fd() const { return fd_.get(); }
    int vcpu_mmap_size() const;
    int check_extension(int capability) const;  // KVM_CHECK_EXTENSION: 0 when absent
    // How many vCPUs one VM may have, numbered from 0.
    uint32_t max_vcpus() const;
    std::vector<kvm_cpuid_entry2> supported_cpuid() const;

private:
    UniqueFd fd_;
};

class Vm {
public:
    explicit Vm(const Kvm& kvm);
    int fd() const { return fd_.get(); }
    const Kvm& kvm() const { return kvm_; }

    // Registers guest RAM at guest-physical 0 as slot 0.
    void set_memory(const GuestMemory& memory);
    // KVM signals `event` when the guest writes `len` bytes at `address` (port or MMIO),
    // without an exit to user space.
    void add_ioeventfd(uint64_t address, uint32_t len, bool port_io, const EventFd& event);
    void remove_ioeventfd(uint64_t address, uint32_t len, bool port_io, const EventFd& event);
    // A signal on `event` injects an edge on `gsi` of the in-kernel irqchip.
    void add_irqfd(uint32_t gsi, const EventFd& event);

private:
    const Kvm& kvm_;
    UniqueFd fd_;
};

// An interrupt line into KVM's in-kernel irqchip: raise() is one eventfd write, no exit.
class IrqFd : public IrqLine {
public:
    IrqFd(Vm& vm, uint32_t gsi);
    void raise() override { event_.signal(); }

private:
    EventFd event_;
};

} // namespace cocoon::vmm
