#include "vmm/kvm/kvm.h"

#include <fcntl.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include <spdlog/spdlog.h>

#include "vmm/error.h"
#include "vmm/kvm/abi.h"
#include "vmm/kvm/host_cpuid.h"
#include "vmm/exit_status.h"

namespace cocoon::vmm {
namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

struct Capability {
    int id;
    const char* name;
};

constexpr Capability required_capabilities[] = {
    {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
    {KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"},
    {KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD"},
    {KVM_CAP_IRQFD, "KVM_CAP_IRQFD"},
    {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
    {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
    {KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR"},
    {KVM_CAP_GET_TSC_KHZ, "KVM_CAP_GET_TSC_KHZ"},
};

} // namespace

Kvm::Kvm() : fd_(open("/dev/kvm", O_RDWR | O_CLOEXEC)) {
    if (!fd_) {
        int err = errno;
        std::string why = err == ENOENT ? "not found" : std::strerror(err);
        throw SetupError(exit_status::kvm_unavailable,
                         "/dev/kvm " + why +
                             ": run cocoon on a host with KVM, under scripts/with-kvm.sh, or enable nested "
                             "virtualization" + (err == EACCES ? " (or add yourself to the kvm group)" : ""));
    }
    int version = ioctl(fd_.get(), KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION)
        throw SetupError(exit_status::kvm_unavailable,
                         "KVM API version " + std::to_string(version) + ", cocoon needs " +
                             std::to_string(KVM_API_VERSION));
    for (const Capability& cap : required_capabilities)
        if (ioctl(fd_.get(), KVM_CHECK_EXTENSION, cap.id) <= 0)
            throw SetupError(exit_status::kvm_unavailable,
                             std::string("this KVM lacks ") + cap.name + ", which cocoon needs");
}

int Kvm::vcpu_mmap_size() const {
    int size = ioctl(fd_.get(), KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size <= 0) fail("KVM_GET_VCPU_MMAP_SIZE");
    return size;
}

int Kvm::check_extension(int capability) const {
    int value = ioctl(fd_.get(), KVM_CHECK_EXTENSION, capability);
    return value > 0 ? value : 0;
}

uint32_t Kvm::max_vcpus() const {
    // Each capability falls back on the one before when absent (KVM's api.rst), the
    // first on 4; vCPU IDs are indices, so the largest ID allowed bounds the count too.
    int recommended = check_extension(KVM_CAP_NR_VCPUS);
    int most = check_extension(KVM_CAP_MAX_VCPUS);
    int ids = check_extension(KVM_CAP_MAX_VCPU_ID);
    if (!recommended) recommended = 4;
    if (!most) most = recommended;
    if (!ids) ids = most;
    return static_cast<uint32_t>(std::min(most, ids));
}

std::vector<kvm_cpuid_entry2> Kvm::supported_cpuid() const {
    constexpr uint32_t max_entries = 256;  // KVM_MAX_CPUID_ENTRIES
    struct {
        kvm_abi::CpuidHeader header;
        kvm_cpuid_entry2 entries[max_entries];
    } cpuid{};
    cpuid.header.nent = max_entries;
    if (ioctl(fd_.get(), kvm_abi::get_supported_cpuid, &cpuid) == 0)
        return {cpuid.entries, cpuid.entries + std::min(cpuid.header.nent, max_entries)};
    spdlog::debug("KVM_GET_SUPPORTED_CPUID: {}; giving the guest this CPU's own CPUID", std::strerror(errno));
    return host_cpuid_entries();
}

Vm::Vm(const Kvm& kvm) : kvm_(kvm), fd_(ioctl(kvm.fd(), KVM_CREATE_VM, 0)) {
    if (!fd_) fail("KVM_CREATE_VM");
    // Intel needs three pages for its real-mode TSS somewhere outside RAM; harmless on AMD.
    if (ioctl(fd_.get(), KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0) fail("KVM_SET_TSS_ADDR");
    if (ioctl(fd_.get(), KVM_CREATE_IRQCHIP, 0) < 0) fail("KVM_CREATE_IRQCHIP");
}

void Vm::set_memory(const GuestMemory& memory) {
    kvm_userspace_memory_region region{};
    region.slot = 0;
    region.guest_phys_addr = 0;
    region.memory_size = memory.size();
    region.userspace_addr = reinterpret_cast<uint64_t>(memory.host_base());
    if (ioctl(fd_.get(), KVM_SET_USER_MEMORY_REGION, &region) < 0) fail("KVM_SET_USER_MEMORY_REGION");
}

void Vm::add_ioeventfd(uint64_t address, uint32_t len, bool port_io, const EventFd& event) {
    kvm_ioeventfd request{};
    request.addr = address;
    request.len = len;
    request.fd = event.fd();
    request.flags = port_io ? KVM_IOEVENTFD_FLAG_PIO : 0;
    if (ioctl(fd_.get(), KVM_IOEVENTFD, &request) < 0) fail("KVM_IOEVENTFD");
}

void Vm::remove_ioeventfd(uint64_t address, uint32_t len, bool port_io, const EventFd& event) {
    kvm_ioeventfd request{};
    request.addr = address;
    request.len = len;
    request.fd = event.fd();
    request.flags = KVM_IOEVENTFD_FLAG_DEASSIGN | (port_io ? KVM_IOEVENTFD_FLAG_PIO : 0);
    ioctl(fd_.get(), KVM_IOEVENTFD, &request);  // best effort: the VM is going away
}

void Vm::add_irqfd(uint32_t gsi, const EventFd& event) {
    kvm_irqfd request{};
    request.fd = static_cast<uint32_t>(event.fd());
    request.gsi = gsi;
    if (ioctl(fd_.get(), KVM_IRQFD, &request) < 0) fail("KVM_IRQFD");
}

IrqFd::IrqFd(Vm& vm, uint32_t gsi) { vm.add_irqfd(gsi, event_); }

} // namespace cocoon::vmm
