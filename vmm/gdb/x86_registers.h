// The registers gdb sees for an x86-64 guest: the target description (target.xml) and
// the byte layout of 'g', 'G', 'p' and 'P' follow one table, so they cannot disagree.
// gdb's amd64 support wants the general registers and the x87 ones ("org.gnu.gdb.i386.core")
// and the SSE ones; fs_base/gs_base are gdb's "segments" feature; the control registers
// and EFER are a feature of cocoon's own, which gdb shows as $cr0 … $efer.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cocoon::vmm::gdb {

struct X86Registers {
    // rax rbx rcx rdx rsi rdi rbp rsp r8..r15: gdb's order, not the hardware's.
    std::array<uint64_t, 16> gpr{};
    uint64_t rip = 0;
    uint64_t rflags = 0;
    std::array<uint64_t, 6> segment{};  // selectors: cs ss ds es fs gs
    std::array<std::array<uint8_t, 10>, 8> st{};
    uint64_t fctrl = 0, fstat = 0, ftag = 0, fiseg = 0, fioff = 0, foseg = 0, fooff = 0, fop = 0;
    std::array<std::array<uint8_t, 16>, 16> xmm{};
    uint64_t mxcsr = 0;
    uint64_t fs_base = 0, gs_base = 0;
    uint64_t cr0 = 0, cr2 = 0, cr3 = 0, cr4 = 0, efer = 0;
};

// Which registers a debugger may change: the general ones, rip, rflags, fs_base,
// gs_base and the control registers. Selectors would need their descriptors too, and
// the x87/SSE state is shown only (cocoon's kernel never uses it; its programs do).
struct RegisterInfo {
    std::string_view name;
    unsigned bits;
    bool writable;
};

size_t register_count();
const RegisterInfo& register_info(size_t number);

// One register's bytes as gdb wants them (little-endian, bits/8 bytes), and back.
std::string register_hex(const X86Registers& regs, size_t number);
bool set_register_hex(X86Registers& regs, size_t number, std::string_view hex);  // false: malformed

// All registers in order ('g'), and parsing a 'G' payload: only writable ones change.
std::string all_registers_hex(const X86Registers& regs);
bool set_all_registers_hex(X86Registers& regs, std::string_view hex);

// The whole target description.
const std::string& target_xml();

} // namespace cocoon::vmm::gdb
