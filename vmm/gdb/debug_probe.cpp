#include "vmm/gdb/debug_probe.h"

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "vmm/kvm/vcpu.h"
#include "vmm/memory/guest_memory.h"

namespace cocoon::vmm::gdb {
namespace {

constexpr uint64_t code = 0x1000;
constexpr uint16_t done_port = 0x80;
// int3; nop (under DR0); out 0x80, al. IVT[3] points at the out: an int3 the guest
// takes itself ends there too.
constexpr uint8_t program[] = {0xcc, 0x90, 0xe6, done_port};
constexpr uint64_t int3_at = code, nop_at = code + 1, out_at = code + 2;

enum class Exit { breakpoint, debug_register, done, other };

Exit run_once(Vcpu& vcpu) {
    if (!vcpu.run()) return Exit::other;  // the watchdog kicked: something hung
    const kvm_run& run = vcpu.run_state();
    if (run.exit_reason == KVM_EXIT_DEBUG && run.debug.arch.exception == 3) return Exit::breakpoint;
    if (run.exit_reason == KVM_EXIT_DEBUG && run.debug.arch.exception == 1 && (run.debug.arch.dr6 & 1))
        return Exit::debug_register;
    if (run.exit_reason == KVM_EXIT_IO && run.io.port == done_port) return Exit::done;
    return Exit::other;
}

void start_at(Vcpu& vcpu, uint64_t rip) {
    kvm_regs r{};
    r.rip = rip;
    r.rsp = 0x8000;
    r.rflags = 0x2;
    vcpu.set_regs(r);
}

} // namespace

DebugSupport probe_debug_support(const Kvm& kvm) {
    Vm vm(kvm);
    GuestMemory memory(64 << 10);
    vm.set_memory(memory);
    std::memcpy(memory.span(code, sizeof program)->data(), program, sizeof program);
    memory.write<uint32_t>(3 * 4, static_cast<uint32_t>(out_at));  // IVT[3] = 0000:out_at
    Vcpu vcpu(vm, 0, kvm.supported_cpuid());
    kvm_sregs s = vcpu.sregs();  // real mode after reset; flat segments at 0
    for (kvm_segment* seg : {&s.cs, &s.ds, &s.es, &s.ss}) {
        seg->base = 0;
        seg->selector = 0;
    }
    vcpu.set_sregs(s);
    vcpu.bind_to_current_thread();

    // Each step exits at once; the watchdog only guards against a KVM that never does.
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    std::thread watchdog([&] {
        std::unique_lock lock(mutex);
        if (!finished.wait_for(lock, std::chrono::seconds(5), [&] { return done; })) vcpu.kick();
    });

    DebugSupport support;
    kvm_guest_debug debug{};
    debug.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP | KVM_GUESTDBG_USE_HW_BP;
    debug.arch.debugreg[0] = nop_at;
    debug.arch.debugreg[7] = 0x400 | 0x2;  // G0: execute, one byte
    vcpu.set_guest_debug(debug);
    start_at(vcpu, int3_at);
    support.software_breakpoints = run_once(vcpu) == Exit::breakpoint;
    start_at(vcpu, nop_at);
    support.hardware_breakpoints = run_once(vcpu) == Exit::debug_register;

    {
        std::lock_guard lock(mutex);
        done = true;
    }
    finished.notify_all();
    watchdog.join();
    return support;
}

} // namespace cocoon::vmm::gdb
