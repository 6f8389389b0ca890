#include "vmm/kvm/vcpu.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <cerrno>
#include <system_error>
#include <vector>

#include <cstring>

#include <fmt/format.h>

#include "vmm/kvm/abi.h"

namespace cocoon::vmm {
namespace {

// The kick signal only needs to interrupt KVM_RUN; its handler does nothing.
constexpr int kick_signal = SIGUSR1;

void install_kick_handler() {
    static const bool installed = [] {
        struct sigaction action {};
        action.sa_handler = [](int) {};
        sigemptyset(&action.sa_mask);
        sigaction(kick_signal, &action, nullptr);  // no SA_RESTART: KVM_RUN returns EINTR
        return true;
    }();
    (void)installed;
}

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

void set_cpuid(int fd, const std::vector<kvm_cpuid_entry2>& entries) {
    std::vector<uint8_t> buffer(sizeof(kvm_abi::CpuidHeader) + entries.size() * sizeof(kvm_cpuid_entry2));
    kvm_abi::CpuidHeader header{static_cast<uint32_t>(entries.size()), 0};
    std::memcpy(buffer.data(), &header, sizeof header);
    std::memcpy(buffer.data() + sizeof header, entries.data(), entries.size() * sizeof(kvm_cpuid_entry2));
    if (ioctl(fd, kvm_abi::set_cpuid2, buffer.data()) < 0) fail("KVM_SET_CPUID2");
}

std::string segment(const char* name, const kvm_segment& s) {
    return fmt::format("  {:<3} selector={:#06x} base={:#018x} limit={:#010x} type={:#x} dpl={} l={} db={} "
                       "present={}\n",
                       name, s.selector, s.base, s.limit, s.type, s.dpl, s.l, s.db, s.present);
}

} // namespace

Vcpu::Vcpu(Vm& vm, uint32_t index, const std::vector<kvm_cpuid_entry2>& cpuid) : fd_(ioctl(vm.fd(), KVM_CREATE_VCPU, index)) {
    if (!fd_) fail("KVM_CREATE_VCPU");
    run_size_ = static_cast<size_t>(vm.kvm().vcpu_mmap_size());
    void* p = mmap(nullptr, run_size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_.get(), 0);
    if (p == MAP_FAILED) fail("mmap kvm_run");
    run_ = static_cast<kvm_run*>(p);
    set_cpuid(fd_.get(), cpuid);
    install_kick_handler();
}

Vcpu::~Vcpu() { munmap(run_, run_size_); }

kvm_regs Vcpu::regs() const {
    kvm_regs r{};
    if (ioctl(fd_.get(), KVM_GET_REGS, &r) < 0) fail("KVM_GET_REGS");
    return r;
}

void Vcpu::set_regs(const kvm_regs& r) {
    if (ioctl(fd_.get(), KVM_SET_REGS, &r) < 0) fail("KVM_SET_REGS");
}

kvm_sregs Vcpu::sregs() const {
    kvm_sregs s{};
    if (ioctl(fd_.get(), KVM_GET_SREGS, &s) < 0) fail("KVM_GET_SREGS");
    return s;
}

void Vcpu::set_sregs(const kvm_sregs& s) {
    if (ioctl(fd_.get(), KVM_SET_SREGS, &s) < 0) fail("KVM_SET_SREGS");
}

kvm_fpu Vcpu::fpu() const {
    kvm_fpu f{};
    if (ioctl(fd_.get(), KVM_GET_FPU, &f) < 0) fail("KVM_GET_FPU");
    return f;
}

uint32_t Vcpu::mp_state() const {
    kvm_mp_state state{};
    if (ioctl(fd_.get(), KVM_GET_MP_STATE, &state) < 0) fail("KVM_GET_MP_STATE");
    return state.mp_state;
}

void Vcpu::set_guest_debug(const kvm_guest_debug& debug) {
    if (ioctl(fd_.get(), KVM_SET_GUEST_DEBUG, &debug) < 0) fail("KVM_SET_GUEST_DEBUG");
}

uint32_t Vcpu::tsc_khz() const {
    int khz = ioctl(fd_.get(), KVM_GET_TSC_KHZ, 0);
    return khz > 0 ? static_cast<uint32_t>(khz) : 0;
}

uint64_t Vcpu::guest_tsc() const {
    constexpr uint32_t ia32_tsc = 0x10;
    struct {
        kvm_abi::MsrsHeader header;
        kvm_msr_entry entry;
    } msrs{{1, 0}, {ia32_tsc, 0, 0}};
    if (ioctl(fd_.get(), kvm_abi::get_msrs, &msrs) != 1) fail("KVM_GET_MSRS (IA32_TSC)");
    return msrs.entry.data;
}

bool Vcpu::run() {
    for (;;) {
        if (ioctl(fd_.get(), KVM_RUN, 0) == 0) return true;
        // EAGAIN: a vCPU waiting for INIT and SIPI (an AP under the in-kernel local APIC)
        // woke without being started, or has just been started: KVM wants KVM_RUN again.
        if (errno == EAGAIN) continue;
        if (errno != EINTR) fail("KVM_RUN");
        // EINTR: kicked. Clear the request so a later run() enters the guest again.
        __atomic_store_n(&run_->immediate_exit, 0, __ATOMIC_RELEASE);
        return false;
    }
}

void Vcpu::bind_to_current_thread() {
    thread_ = pthread_self();
    bound_.store(true, std::memory_order_release);
}

void Vcpu::kick() {
    // immediate_exit covers a kick that lands just before KVM_RUN; the signal one
    // that lands while the vCPU is inside the guest.
    __atomic_store_n(&run_->immediate_exit, 1, __ATOMIC_RELEASE);
    if (bound_.load(std::memory_order_acquire)) pthread_kill(thread_, kick_signal);
}

std::string Vcpu::dump_registers() const {
    kvm_regs r{};
    kvm_sregs s{};
    if (ioctl(fd_.get(), KVM_GET_REGS, &r) < 0 || ioctl(fd_.get(), KVM_GET_SREGS, &s) < 0)
        return "  (registers unavailable)\n";
    std::string out = fmt::format("  rip={:#018x} rsp={:#018x} rflags={:#x}\n", r.rip, r.rsp, r.rflags);
    out += fmt::format("  rax={:#018x} rbx={:#018x} rcx={:#018x} rdx={:#018x}\n", r.rax, r.rbx, r.rcx, r.rdx);
    out += fmt::format("  cr0={:#x} cr2={:#x} cr3={:#x} cr4={:#x} efer={:#x}\n", s.cr0, s.cr2, s.cr3, s.cr4,
                       s.efer);
    out += segment("cs", s.cs) + segment("ss", s.ss) + segment("ds", s.ds) + segment("es", s.es) +
           segment("fs", s.fs) + segment("gs", s.gs) + segment("tr", s.tr);
    out += fmt::format("  gdt base={:#x} limit={:#x}  idt base={:#x} limit={:#x}\n", s.gdt.base, s.gdt.limit,
                       s.idt.base, s.idt.limit);
    return out;
}

} // namespace cocoon::vmm
