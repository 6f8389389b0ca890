#include "vmm/gdb/x86_registers.h"

#include <cstddef>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "vmm/gdb/packet.h"

namespace cocoon::vmm::gdb {
namespace {

enum Feature { core, sse, segments, control, feature_count };

constexpr const char* feature_names[] = {"org.gnu.gdb.i386.core", "org.gnu.gdb.i386.sse",
                                         "org.gnu.gdb.i386.segments", "org.cocoon.x86.control"};

// Types the features use beyond gdb's built-in ones, defined where gdb expects them.
constexpr const char* core_types = R"(<flags id="i386_eflags" size="4">
<field name="CF" start="0" end="0"/><field name="" start="1" end="1"/><field name="PF" start="2" end="2"/>
<field name="AF" start="4" end="4"/><field name="ZF" start="6" end="6"/><field name="SF" start="7" end="7"/>
<field name="TF" start="8" end="8"/><field name="IF" start="9" end="9"/><field name="DF" start="10" end="10"/>
<field name="OF" start="11" end="11"/><field name="NT" start="14" end="14"/><field name="RF" start="16" end="16"/>
<field name="VM" start="17" end="17"/><field name="AC" start="18" end="18"/><field name="VIF" start="19" end="19"/>
<field name="VIP" start="20" end="20"/><field name="ID" start="21" end="21"/>
</flags>
)";
constexpr const char* sse_types = R"(<vector id="v4f" type="ieee_single" count="4"/>
<vector id="v2d" type="ieee_double" count="2"/>
<vector id="v16i8" type="int8" count="16"/>
<vector id="v8i16" type="int16" count="8"/>
<vector id="v4i32" type="int32" count="4"/>
<vector id="v2i64" type="int64" count="2"/>
<union id="vec128"><field name="v4_float" type="v4f"/><field name="v2_double" type="v2d"/>
<field name="v16_int8" type="v16i8"/><field name="v8_int16" type="v8i16"/><field name="v4_int32" type="v4i32"/>
<field name="v2_int64" type="v2i64"/><field name="uint128" type="uint128"/></union>
<flags id="i386_mxcsr" size="4">
<field name="IE" start="0" end="0"/><field name="DE" start="1" end="1"/><field name="ZE" start="2" end="2"/>
<field name="OE" start="3" end="3"/><field name="UE" start="4" end="4"/><field name="PE" start="5" end="5"/>
<field name="DAZ" start="6" end="6"/><field name="IM" start="7" end="7"/><field name="DM" start="8" end="8"/>
<field name="ZM" start="9" end="9"/><field name="OM" start="10" end="10"/><field name="UM" start="11" end="11"/>
<field name="PM" start="12" end="12"/><field name="FZ" start="15" end="15"/>
</flags>
)";

struct Entry {
    RegisterInfo info;
    Feature feature;
    const char* type;
    const char* group;  // nullptr: gdb's default for the type
    size_t offset;      // into X86Registers
};

std::vector<Entry> build_table() {
    std::vector<Entry> t;
    auto add = [&](std::string_view name, unsigned bits, bool writable, Feature f, const char* type,
                   const char* group, size_t offset) { t.push_back({{name, bits, writable}, f, type, group, offset}); };
    static constexpr const char* gpr_names[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
                                                "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
    for (size_t i = 0; i < 16; ++i) {
        const char* type = i == 6 || i == 7 ? "data_ptr" : "int64";
        add(gpr_names[i], 64, true, core, type, nullptr, offsetof(X86Registers, gpr) + i * 8);
    }
    add("rip", 64, true, core, "code_ptr", nullptr, offsetof(X86Registers, rip));
    add("eflags", 32, true, core, "i386_eflags", nullptr, offsetof(X86Registers, rflags));
    static constexpr const char* segment_names[] = {"cs", "ss", "ds", "es", "fs", "gs"};
    for (size_t i = 0; i < 6; ++i)
        add(segment_names[i], 32, false, core, "int32", nullptr, offsetof(X86Registers, segment) + i * 8);
    static constexpr const char* st_names[] = {"st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7"};
    for (size_t i = 0; i < 8; ++i)
        add(st_names[i], 80, false, core, "i387_ext", nullptr, offsetof(X86Registers, st) + i * 10);
    add("fctrl", 32, false, core, "int", "float", offsetof(X86Registers, fctrl));
    add("fstat", 32, false, core, "int", "float", offsetof(X86Registers, fstat));
    add("ftag", 32, false, core, "int", "float", offsetof(X86Registers, ftag));
    add("fiseg", 32, false, core, "int", "float", offsetof(X86Registers, fiseg));
    add("fioff", 32, false, core, "int", "float", offsetof(X86Registers, fioff));
    add("foseg", 32, false, core, "int", "float", offsetof(X86Registers, foseg));
    add("fooff", 32, false, core, "int", "float", offsetof(X86Registers, fooff));
    add("fop", 32, false, core, "int", "float", offsetof(X86Registers, fop));
    static constexpr const char* xmm_names[] = {"xmm0", "xmm1", "xmm2",  "xmm3",  "xmm4",  "xmm5",  "xmm6",  "xmm7",
                                                "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"};
    for (size_t i = 0; i < 16; ++i)
        add(xmm_names[i], 128, false, sse, "vec128", "vector", offsetof(X86Registers, xmm) + i * 16);
    add("mxcsr", 32, false, sse, "i386_mxcsr", "vector", offsetof(X86Registers, mxcsr));
    add("fs_base", 64, true, segments, "int", nullptr, offsetof(X86Registers, fs_base));
    add("gs_base", 64, true, segments, "int", nullptr, offsetof(X86Registers, gs_base));
    add("cr0", 64, true, control, "int", "system", offsetof(X86Registers, cr0));
    add("cr2", 64, true, control, "int", "system", offsetof(X86Registers, cr2));
    add("cr3", 64, true, control, "int", "system", offsetof(X86Registers, cr3));
    add("cr4", 64, true, control, "int", "system", offsetof(X86Registers, cr4));
    add("efer", 64, true, control, "int", "system", offsetof(X86Registers, efer));
    return t;
}

const std::vector<Entry>& table() {
    static const std::vector<Entry> t = build_table();
    return t;
}

// The register's storage. A 32-bit register lives in a uint64_t field: its bytes are
// the low ones (x86 hosts are little-endian, as gdb's x86 registers are).
uint8_t* storage(X86Registers& regs, const Entry& e) { return reinterpret_cast<uint8_t*>(&regs) + e.offset; }

std::string build_xml() {
    std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
                      "<architecture>i386:x86-64</architecture>\n";
    for (int f = 0; f < feature_count; ++f) {
        xml += fmt::format("<feature name=\"{}\">\n", feature_names[f]);
        if (f == core) xml += core_types;
        if (f == sse) xml += sse_types;
        for (size_t i = 0; i < table().size(); ++i) {
            const Entry& e = table()[i];
            if (e.feature != f) continue;
            // regnum: gdb numbers registers (and lays out 'g') by table position.
            xml += fmt::format("<reg name=\"{}\" bitsize=\"{}\" type=\"{}\" regnum=\"{}\"{}/>\n", e.info.name,
                               e.info.bits, e.type, i,
                               e.group ? fmt::format(" group=\"{}\"", e.group) : std::string());
        }
        xml += "</feature>\n";
    }
    xml += "</target>\n";
    return xml;
}

} // namespace

size_t register_count() { return table().size(); }

const RegisterInfo& register_info(size_t number) { return table().at(number).info; }

std::string register_hex(const X86Registers& regs, size_t number) {
    const Entry& e = table().at(number);
    X86Registers copy = regs;
    return to_hex(std::span<const uint8_t>(storage(copy, e), e.info.bits / 8));
}

bool set_register_hex(X86Registers& regs, size_t number, std::string_view hex) {
    const Entry& e = table().at(number);
    auto bytes = from_hex(hex);
    if (!bytes || bytes->size() != e.info.bits / 8) return false;
    uint8_t* target = storage(regs, e);
    if (e.info.bits < 64) std::memset(target, 0, 8);  // a 32-bit register in a 64-bit field
    std::memcpy(target, bytes->data(), bytes->size());
    return true;
}

std::string all_registers_hex(const X86Registers& regs) {
    std::string out;
    for (size_t i = 0; i < table().size(); ++i) out += register_hex(regs, i);
    return out;
}

bool set_all_registers_hex(X86Registers& regs, std::string_view hex) {
    X86Registers next = regs;
    size_t at = 0;
    for (size_t i = 0; i < table().size(); ++i) {
        size_t digits = table()[i].info.bits / 4;
        if (at + digits > hex.size()) return false;
        X86Registers scratch = next;
        if (!set_register_hex(scratch, i, hex.substr(at, digits))) return false;
        if (table()[i].info.writable) next = scratch;
        at += digits;
    }
    if (at != hex.size()) return false;
    regs = next;
    return true;
}

const std::string& target_xml() {
    static const std::string xml = build_xml();
    return xml;
}

} // namespace cocoon::vmm::gdb
