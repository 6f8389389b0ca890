#include "vmm/gdb/kvm_registers.h"

#include <cstring>
#include <utility>

namespace cocoon::vmm::gdb {
namespace {

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

} // namespace

X86Registers gdb_registers(const KvmRegisters& kvm) {
    X86Registers r;
    const kvm_regs& g = kvm.regs;
    r.gpr = {g.rax, g.rbx, g.rcx, g.rdx, g.rsi, g.rdi, g.rbp, g.rsp,
             g.r8,  g.r9,  g.r10, g.r11, g.r12, g.r13, g.r14, g.r15};
    r.rip = g.rip;
    r.rflags = g.rflags;
    const kvm_sregs& s = kvm.sregs;
    r.segment = {s.cs.selector, s.ss.selector, s.ds.selector, s.es.selector, s.fs.selector, s.gs.selector};
    const kvm_fpu& f = kvm.fpu;
    for (size_t i = 0; i < 8; ++i) std::memcpy(r.st[i].data(), f.fpr[i], 10);
    r.fctrl = f.fcw;
    r.fstat = f.fsw;
    r.ftag = full_tag_word(f);
    r.fioff = f.last_ip & 0xffffffff;
    r.fiseg = f.last_ip >> 32 & 0xffff;
    r.fooff = f.last_dp & 0xffffffff;
    r.foseg = f.last_dp >> 32 & 0xffff;
    r.fop = f.last_opcode;
    for (size_t i = 0; i < 16; ++i) std::memcpy(r.xmm[i].data(), f.xmm[i], 16);
    r.mxcsr = f.mxcsr;
    r.fs_base = s.fs.base;
    r.gs_base = s.gs.base;
    r.cr0 = s.cr0;
    r.cr2 = s.cr2;
    r.cr3 = s.cr3;
    r.cr4 = s.cr4;
    r.efer = s.efer;
    return r;
}

ChangedSets apply_gdb_registers(const X86Registers& r, KvmRegisters& kvm) {
    ChangedSets changed;
    kvm_regs& g = kvm.regs;
    __u64* gpr[] = {&g.rax, &g.rbx, &g.rcx, &g.rdx, &g.rsi, &g.rdi, &g.rbp, &g.rsp,
                    &g.r8,  &g.r9,  &g.r10, &g.r11, &g.r12, &g.r13, &g.r14, &g.r15};
    for (size_t i = 0; i < 16; ++i) changed.regs |= std::exchange(*gpr[i], r.gpr[i]) != r.gpr[i];
    changed.regs |= std::exchange(g.rip, r.rip) != r.rip;
    changed.regs |= std::exchange(g.rflags, r.rflags) != r.rflags;
    kvm_sregs& s = kvm.sregs;
    __u64* system[] = {&s.fs.base, &s.gs.base, &s.cr0, &s.cr2, &s.cr3, &s.cr4, &s.efer};
    uint64_t wanted[] = {r.fs_base, r.gs_base, r.cr0, r.cr2, r.cr3, r.cr4, r.efer};
    for (size_t i = 0; i < 7; ++i) changed.sregs |= std::exchange(*system[i], wanted[i]) != wanted[i];
    return changed;
}

} // namespace cocoon::vmm::gdb
