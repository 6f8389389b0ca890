#include "vmm/gdb/vcpu_target.h"

#include <cstring>
#include <utility>

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

// FXSAVE keeps one "not empty" bit per physical x87 register; gdb's ftag wants the
// full two-bit tag of each, which depends on what the register holds.
uint64_t full_tag_word(const kvm_fpu& f) {
    unsigned top = (f.fsw >> 11) & 7;
    uint64_t tag = 0;
    for (unsigned reg = 0; reg < 8; ++reg) {
        uint64_t t = 3;  // empty
        if (f.ftwx >> reg & 1) {
            const uint8_t* st = f.fpr[(reg - top) & 7];
            uint64_t mantissa = 0;
            std::memcpy(&mantissa, st, 8);
            unsigned exponent = (st[9] << 8 | st[8]) & 0x7fff;
            if (exponent == 0x7fff) t = 2;                      // infinity, NaN
            else if (exponent == 0) t = mantissa == 0 ? 1 : 2;  // zero, denormal
            else t = mantissa >> 63 ? 0 : 2;                    // valid, unnormal
        }
        tag |= t << (2 * reg);
    }
    return tag;
}

DebugSupport probe(const Kvm& kvm) {
    try {
        return probe_debug_support(kvm);
    } catch (const std::exception& e) {
        spdlog::warn("gdb: could not try how this KVM reports breakpoints ({}); assuming it does", e.what());
        return {};
    }
}

} // namespace

VcpuTarget::VcpuTarget(Vcpu& vcpu, const GuestMemory& memory, const Kvm& kvm, PostStop post_stop, EndRun end_run)
    : vcpu_(vcpu),
      memory_(memory),
      post_stop_(std::move(post_stop)),
      end_run_(std::move(end_run)),
      // KVM_CAP_SET_GUEST_DEBUG2 is the mask of guest-debug flags this KVM knows.
      block_irq_(kvm.check_extension(KVM_CAP_SET_GUEST_DEBUG2) & KVM_GUESTDBG_BLOCKIRQ),
      support_(probe(kvm)) {
    if (!support_.software_breakpoints)
        spdlog::warn("gdb: this KVM does not report the guest's int3 (nested KVM under QEMU's emulation does not): {}",
                     support_.hardware_breakpoints ? "breakpoints take debug registers instead, four at most"
                                                   : "breakpoints are refused");
    if (!support_.hardware_breakpoints)
        spdlog::warn("gdb: this KVM does not report debug-register hits (nested KVM under QEMU before 9.1 does not): "
                     "hardware breakpoints and watchpoints are refused");
}

void VcpuTarget::park_at_start() { park(StopEvent{StopEvent::Kind::initial, 0}); }

void VcpuTarget::after_kick() {
    {
        std::lock_guard lock(mutex_);
        if (state_ != State::stop_requested) return;  // a kick for the machine's stop, or a stale one
    }
    park(StopEvent{StopEvent::Kind::interrupted, 0});
}

void VcpuTarget::on_debug_exit(const kvm_debug_exit_arch& debug) {
    park(StopEvent{debug.exception == breakpoint_vector ? StopEvent::Kind::breakpoint : StopEvent::Kind::debug,
                   debug.dr6});
}

void VcpuTarget::park(const StopEvent& event) {
    kvm_regs regs = vcpu_.regs();
    kvm_sregs sregs = vcpu_.sregs();
    kvm_fpu fpu = vcpu_.fpu();
    {
        std::lock_guard lock(mutex_);
        if (released_) return;
        regs_ = regs;
        sregs_ = sregs;
        fpu_ = fpu;
        regs_dirty_ = sregs_dirty_ = false;
        state_ = State::stopped;
    }
    post_stop_(event);
    kvm_guest_debug debug{};
    bool regs_changed = false, sregs_changed = false;
    {
        std::unique_lock lock(mutex_);
        resumed_.wait(lock, [&] { return state_ != State::stopped || released_; });
        if (released_) return;
        regs = regs_;
        sregs = sregs_;
        regs_changed = regs_dirty_;
        sregs_changed = sregs_dirty_;
        debug = guest_debug();
    }
    // Only this thread touches the vCPU, and it is not in KVM_RUN: the changes go in now.
    if (regs_changed) vcpu_.set_regs(regs);
    if (sregs_changed) vcpu_.set_sregs(sregs);
    vcpu_.set_guest_debug(debug);
}

kvm_guest_debug VcpuTarget::guest_debug() const {
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
    if (step_) d.control |= KVM_GUESTDBG_SINGLESTEP | (block_irq_ ? KVM_GUESTDBG_BLOCKIRQ : 0);
    return d;
}

void VcpuTarget::release() {
    {
        std::lock_guard lock(mutex_);
        released_ = true;
    }
    resumed_.notify_all();
}

X86Registers VcpuTarget::registers() {
    std::lock_guard lock(mutex_);
    X86Registers r;
    const kvm_regs& g = regs_;
    r.gpr = {g.rax, g.rbx, g.rcx, g.rdx, g.rsi, g.rdi, g.rbp, g.rsp,
             g.r8,  g.r9,  g.r10, g.r11, g.r12, g.r13, g.r14, g.r15};
    r.rip = g.rip;
    r.rflags = g.rflags;
    const kvm_sregs& s = sregs_;
    r.segment = {s.cs.selector, s.ss.selector, s.ds.selector, s.es.selector, s.fs.selector, s.gs.selector};
    for (size_t i = 0; i < 8; ++i) std::memcpy(r.st[i].data(), fpu_.fpr[i], 10);
    r.fctrl = fpu_.fcw;
    r.fstat = fpu_.fsw;
    r.ftag = full_tag_word(fpu_);
    r.fioff = fpu_.last_ip & 0xffffffff;
    r.fiseg = fpu_.last_ip >> 32 & 0xffff;
    r.fooff = fpu_.last_dp & 0xffffffff;
    r.foseg = fpu_.last_dp >> 32 & 0xffff;
    r.fop = fpu_.last_opcode;
    for (size_t i = 0; i < 16; ++i) std::memcpy(r.xmm[i].data(), fpu_.xmm[i], 16);
    r.mxcsr = fpu_.mxcsr;
    r.fs_base = s.fs.base;
    r.gs_base = s.gs.base;
    r.cr0 = s.cr0;
    r.cr2 = s.cr2;
    r.cr3 = s.cr3;
    r.cr4 = s.cr4;
    r.efer = s.efer;
    return r;
}

void VcpuTarget::set_registers(const X86Registers& r) {
    std::lock_guard lock(mutex_);
    if (state_ != State::stopped) return;
    kvm_regs& g = regs_;
    __u64* gpr[] = {&g.rax, &g.rbx, &g.rcx, &g.rdx, &g.rsi, &g.rdi, &g.rbp, &g.rsp,
                    &g.r8,  &g.r9,  &g.r10, &g.r11, &g.r12, &g.r13, &g.r14, &g.r15};
    for (size_t i = 0; i < 16; ++i) regs_dirty_ |= std::exchange(*gpr[i], r.gpr[i]) != r.gpr[i];
    regs_dirty_ |= std::exchange(g.rip, r.rip) != r.rip;
    regs_dirty_ |= std::exchange(g.rflags, r.rflags) != r.rflags;
    kvm_sregs& s = sregs_;
    __u64* system[] = {&s.fs.base, &s.gs.base, &s.cr0, &s.cr2, &s.cr3, &s.cr4, &s.efer};
    uint64_t wanted[] = {r.fs_base, r.gs_base, r.cr0, r.cr2, r.cr3, r.cr4, r.efer};
    for (size_t i = 0; i < 7; ++i) sregs_dirty_ |= std::exchange(*system[i], wanted[i]) != wanted[i];
}

std::optional<uint64_t> VcpuTarget::translate(uint64_t virt) {
    std::lock_guard lock(mutex_);
    if (state_ != State::stopped) return std::nullopt;
    if (!(sregs_.cr0 & cr0_paging)) return virt;                // paging off: physical
    if (!(sregs_.efer & efer_long_mode_active)) return std::nullopt;  // 32-bit paging: never used by cocoon's kernel
    if (!canonical(virt)) return std::nullopt;
    auto t = vmm::translate(memory_, sregs_.cr3, virt);
    if (!t) return std::nullopt;
    return t->phys;
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

void VcpuTarget::resume(bool step) {
    {
        std::lock_guard lock(mutex_);
        if (state_ != State::stopped) return;
        attached_ = true;
        step_ = step;
        state_ = State::running;
    }
    resumed_.notify_all();
}

void VcpuTarget::interrupt() {
    {
        std::lock_guard lock(mutex_);
        if (state_ != State::running) return;
        state_ = State::stop_requested;
    }
    vcpu_.kick();  // KVM_RUN returns EINTR; the vCPU thread then parks in after_kick()
}

void VcpuTarget::detach() {
    {
        std::lock_guard lock(mutex_);
        attached_ = false;
        step_ = false;
        debug_ = {};
        if (state_ != State::running) state_ = State::running;  // also cancels a requested stop
    }
    resumed_.notify_all();
}

void VcpuTarget::kill() { end_run_(); }

} // namespace cocoon::vmm::gdb
