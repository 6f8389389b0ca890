#include "vmm/gdb/vcpu_target.h"

#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>

#include "vmm/gdb/debug_probe.h"
#include "vmm/introspect/page_walk.h"

namespace cocoon::vmm::gdb {
namespace {

constexpr uint64_t cr0_paging = 1ull << 31;
constexpr uint64_t efer_long_mode_active = 1ull << 10;
constexpr uint32_t breakpoint_vector = 3;

bool canonical(uint64_t virt) {
    uint64_t top = virt >> 47;
    return top == 0 || top == 0x1ffff;
}

DebugSupport probe(const Kvm& kvm) {
    try {
        return probe_debug_support(kvm);
    } catch (const std::exception& e) {
        spdlog::warn("gdb: could not try how this KVM reports breakpoints ({}); assuming it does", e.what());
        return {};
    }
}

// Which of two stops of one round the stub hears of: a vCPU's own (a breakpoint, a step,
// a debug-register hit) before a mere stop (the first instruction, an interrupt), then
// the lower vCPU.
bool reported_before(const StopEvent& a, const StopEvent& b) {
    auto own = [](const StopEvent& e) {
        return e.kind == StopEvent::Kind::breakpoint || e.kind == StopEvent::Kind::debug;
    };
    if (own(a) != own(b)) return own(a);
    return a.vcpu < b.vcpu;
}

} // namespace

VcpuTarget::VcpuTarget(std::vector<Vcpu*> vcpus, const GuestMemory& memory, const Kvm& kvm, PostStop post_stop,
                       EndRun end_run)
    : memory_(memory),
      post_stop_(std::move(post_stop)),
      end_run_(std::move(end_run)),
      // KVM_CAP_SET_GUEST_DEBUG2 is the mask of guest-debug flags this KVM knows.
      block_irq_(kvm.check_extension(KVM_CAP_SET_GUEST_DEBUG2) & KVM_GUESTDBG_BLOCKIRQ),
      support_(probe(kvm)) {
    for (Vcpu* vcpu : vcpus) held_.emplace_back(vcpu);
    if (!support_.software_breakpoints)
        spdlog::warn("gdb: this KVM does not report the guest's int3 (nested KVM under QEMU's emulation does not): {}",
                     support_.hardware_breakpoints ? "breakpoints take debug registers instead, four at most"
                                                   : "breakpoints are refused");
    if (!support_.hardware_breakpoints)
        spdlog::warn("gdb: this KVM does not report debug-register hits (nested KVM under QEMU before 9.1 does not): "
                     "hardware breakpoints and watchpoints are refused");
}

void VcpuTarget::park_at_start(uint32_t vcpu) { park(StopEvent{StopEvent::Kind::initial, 0, vcpu}); }

void VcpuTarget::after_kick(uint32_t vcpu) {
    {
        std::lock_guard lock(mutex_);
        // Otherwise a kick for the machine's stop, or one whose stop came another way.
        if (held_[vcpu].state != State::stop_requested) return;
    }
    park(StopEvent{StopEvent::Kind::interrupted, 0, vcpu});
}

void VcpuTarget::on_debug_exit(uint32_t vcpu, const kvm_debug_exit_arch& debug) {
    park(StopEvent{debug.exception == breakpoint_vector ? StopEvent::Kind::breakpoint : StopEvent::Kind::debug,
                   debug.dr6, vcpu});
}

void VcpuTarget::park(const StopEvent& event) {
    Vcpu& vcpu = *held_[event.vcpu].vcpu;  // set at construction, never changed
    KvmRegisters snapshot{vcpu.regs(), vcpu.sregs(), vcpu.fpu()};
    uint32_t mp_state = vcpu.mp_state();
    KvmRegisters back;
    ChangedSets changed;
    kvm_guest_debug debug{};
    {
        std::unique_lock lock(mutex_);
        Held& held = held_[event.vcpu];
        if (held.released) return;
        held.snapshot = snapshot;
        held.mp_state = mp_state;
        held.changed = {};
        held.state = State::stopped;
        if (!stopping_) {
            stopping_ = true;
            stop_the_running();
        }
        if (!report_ || reported_before(event, *report_)) report_ = event;
        if (all_stopped()) {
            post_stop_(*report_);
            report_.reset();
            stopping_ = false;
        }
        resumed_.wait(lock, [&] { return held.state != State::stopped || held.released; });
        if (held.released) return;
        back = held.snapshot;
        changed = held.changed;
        debug = guest_debug(held.step);
    }
    // Only this thread touches its vCPU, and it is not in KVM_RUN: the changes go in now.
    if (changed.regs) vcpu.set_regs(back.regs);
    if (changed.sregs) vcpu.set_sregs(back.sregs);
    vcpu.set_guest_debug(debug);
}

void VcpuTarget::stop_the_running() {
    for (Held& held : held_)
        if (held.state == State::running && !held.released) {
            held.state = State::stop_requested;
            held.vcpu->kick();  // KVM_RUN returns EINTR; its thread then parks in after_kick()
        }
}

bool VcpuTarget::all_stopped() const {
    return std::all_of(held_.begin(), held_.end(),
                       [](const Held& held) { return held.state == State::stopped || held.released; });
}

kvm_guest_debug VcpuTarget::guest_debug(bool step) const {
    kvm_guest_debug d{};
    if (!attached_) return d;  // all off: the guest runs as if never debugged
    // Software breakpoints: KVM turns the guest's #BP into KVM_EXIT_DEBUG.
    d.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
    if (debug_.dr7) {
        d.control |= KVM_GUESTDBG_USE_HW_BP;
        for (size_t i = 0; i < 4; ++i) d.arch.debugreg[i] = debug_.address[i];
        d.arch.debugreg[7] = debug_.dr7;
    }
    // A step with interrupts held back lands on the next instruction, not in the timer's handler.
    if (step) d.control |= KVM_GUESTDBG_SINGLESTEP | (block_irq_ ? KVM_GUESTDBG_BLOCKIRQ : 0);
    return d;
}

void VcpuTarget::release(uint32_t vcpu) {
    {
        std::lock_guard lock(mutex_);
        held_[vcpu].released = true;
    }
    resumed_.notify_all();
}

const VcpuTarget::Held* VcpuTarget::stopped(uint32_t vcpu) const {
    return vcpu < held_.size() && held_[vcpu].state == State::stopped ? &held_[vcpu] : nullptr;
}

X86Registers VcpuTarget::registers(uint32_t vcpu) {
    std::lock_guard lock(mutex_);
    const Held* held = stopped(vcpu);
    return held ? gdb_registers(held->snapshot) : X86Registers{};
}

void VcpuTarget::set_registers(uint32_t vcpu, const X86Registers& regs) {
    std::lock_guard lock(mutex_);
    if (!stopped(vcpu)) return;
    Held& held = held_[vcpu];
    held.changed |= apply_gdb_registers(regs, held.snapshot);
}

std::optional<uint64_t> VcpuTarget::translate(uint32_t vcpu, uint64_t virt) {
    std::lock_guard lock(mutex_);
    const Held* held = stopped(vcpu);
    if (!held) return std::nullopt;
    const kvm_sregs& sregs = held->snapshot.sregs;
    if (!(sregs.cr0 & cr0_paging)) return virt;                     // paging off: physical
    if (!(sregs.efer & efer_long_mode_active)) return std::nullopt;  // 32-bit paging: never used by cocoon's kernel
    if (!canonical(virt)) return std::nullopt;
    auto t = vmm::translate(memory_, sregs.cr3, virt);
    if (!t) return std::nullopt;
    return t->phys;
}

bool VcpuTarget::awaits_startup(uint32_t vcpu) {
    std::lock_guard lock(mutex_);
    const Held* held = stopped(vcpu);
    return held && vmm::awaits_startup(held->mp_state);
}

bool VcpuTarget::read_physical(uint64_t phys, std::span<uint8_t> out) {
    auto bytes = memory_.span(phys, out.size());
    if (!bytes) return false;
    std::memcpy(out.data(), bytes->data(), out.size());
    return true;
}

bool VcpuTarget::write_physical(uint64_t phys, std::span<const uint8_t> in) {
    auto bytes = memory_.span(phys, in.size());
    if (!bytes) return false;
    std::memcpy(bytes->data(), in.data(), in.size());
    return true;
}

void VcpuTarget::set_debug_registers(const DebugRegisters& regs) {
    std::lock_guard lock(mutex_);
    debug_ = regs;
}

void VcpuTarget::resume(std::span<const Action> actions) {
    {
        std::lock_guard lock(mutex_);
        attached_ = true;
        for (size_t i = 0; i < std::min(actions.size(), held_.size()); ++i) {
            Held& held = held_[i];
            if (actions[i] == Action::stay || held.state != State::stopped) continue;
            held.step = actions[i] == Action::step;
            held.state = State::running;
        }
    }
    resumed_.notify_all();
}

void VcpuTarget::interrupt() {
    std::lock_guard lock(mutex_);
    bool any_running = std::any_of(held_.begin(), held_.end(),
                                   [](const Held& held) { return held.state == State::running && !held.released; });
    if (!any_running) return;  // a stop is on its way already
    stopping_ = true;
    stop_the_running();
}

void VcpuTarget::detach() {
    {
        std::lock_guard lock(mutex_);
        attached_ = false;
        debug_ = {};
        stopping_ = false;  // also cancels a stop being gathered
        report_.reset();
        for (Held& held : held_) {
            held.step = false;
            held.state = State::running;
        }
    }
    resumed_.notify_all();
}

void VcpuTarget::kill() { end_run_(); }

} // namespace cocoon::vmm::gdb
