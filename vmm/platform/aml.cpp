#include "vmm/platform/aml.h"

#include <stdexcept>
#include <string>

namespace cocoon::vmm::aml {
namespace {

// Opcodes and prefixes (ACPI 6.5, 20.3).
constexpr uint8_t zero_op = 0x00, one_op = 0x01, name_op = 0x08, byte_prefix = 0x0a, word_prefix = 0x0b,
                  dword_prefix = 0x0c, string_prefix = 0x0d, qword_prefix = 0x0e, scope_op = 0x10,
                  buffer_op = 0x11, ext_op_prefix = 0x5b, device_op = 0x82, root_char = 0x5c;

// Resource descriptor tags (6.4): small ones carry their length in the tag byte.
constexpr uint8_t irq_tag = 0x22, io_tag = 0x47, end_tag = 0x79;
constexpr uint8_t memory32_fixed_tag = 0x86, extended_interrupt_tag = 0x89;

bool lead_char(char c) { return (c >= 'A' && c <= 'Z') || c == '_'; }
bool name_char(char c) { return lead_char(c) || (c >= '0' && c <= '9'); }

void append_segment(Bytes& out, std::string_view segment) {
    bool valid = segment.size() == 4 && lead_char(segment[0]) && name_char(segment[1]) && name_char(segment[2]) &&
                 name_char(segment[3]);
    if (!valid) throw std::invalid_argument("AML name segment '" + std::string(segment) + "' is not 4 of [A-Z0-9_]");
    out.insert(out.end(), segment.begin(), segment.end());
}

// opcode bytes, PkgLength, then the body: the shape of Scope, Device and Buffer.
Bytes package(std::initializer_list<uint8_t> opcode, const Bytes& body) {
    Bytes out(opcode);
    append(out, pkg_length(body.size()));
    append(out, body);
    return out;
}

Bytes named_package(std::initializer_list<uint8_t> opcode, std::string_view path, const Bytes& body) {
    Bytes named;
    if (path.starts_with('\\')) {
        named.push_back(root_char);
        path.remove_prefix(1);
    }
    append_segment(named, path);
    append(named, body);
    return package(opcode, named);
}

} // namespace

void append_le(Bytes& out, uint64_t value, unsigned size) {
    for (unsigned i = 0; i < size; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

Bytes pkg_length(size_t body_size) {
    // One byte holds up to 63; longer lengths put their low 4 bits in the lead byte
    // (whose top 2 bits count the bytes that follow) and 8 more in each next byte.
    for (unsigned bytes = 1; bytes <= 4; ++bytes) {
        size_t total = body_size + bytes;
        size_t limit = bytes == 1 ? 0x40 : size_t{1} << (4 + 8 * (bytes - 1));
        if (total >= limit) continue;
        if (bytes == 1) return {static_cast<uint8_t>(total)};
        Bytes out{static_cast<uint8_t>(((bytes - 1) << 6) | (total & 0x0f))};
        append_le(out, total >> 4, bytes - 1);
        return out;
    }
    throw std::length_error("AML package of " + std::to_string(body_size) + " bytes is longer than PkgLength holds");
}

Bytes integer(uint64_t value) {
    if (value == 0) return {zero_op};
    if (value == 1) return {one_op};
    auto prefixed = [value](uint8_t prefix, unsigned size) {
        Bytes out{prefix};
        append_le(out, value, size);
        return out;
    };
    if (value <= 0xff) return prefixed(byte_prefix, 1);
    if (value <= 0xffff) return prefixed(word_prefix, 2);
    if (value <= 0xffffffff) return prefixed(dword_prefix, 4);
    return prefixed(qword_prefix, 8);
}

Bytes string(std::string_view text) {
    Bytes out{string_prefix};
    for (char c : text) {
        if (c <= 0 || c > 0x7e) throw std::invalid_argument("AML strings are printable ASCII");
        out.push_back(static_cast<uint8_t>(c));
    }
    out.push_back(0);
    return out;
}

Bytes eisa_id(std::string_view id) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    bool valid = id.size() == 7;
    for (size_t i = 0; valid && i < 7; ++i) valid = i < 3 ? (id[i] >= 'A' && id[i] <= 'Z') : hex(id[i]) >= 0;
    if (!valid)
        throw std::invalid_argument("EISA ID '" + std::string(id) + "' is not three letters and four hex digits");
    // Each letter in 5 bits ('A' is 1), then the digits, stored most significant first.
    uint32_t letters = static_cast<uint32_t>((id[0] - 0x40) << 10 | (id[1] - 0x40) << 5 | (id[2] - 0x40));
    uint32_t digits = static_cast<uint32_t>(hex(id[3]) << 12 | hex(id[4]) << 8 | hex(id[5]) << 4 | hex(id[6]));
    // iasl always writes a DWord here, and recognises EisaId only in that form.
    return {dword_prefix, static_cast<uint8_t>(letters >> 8), static_cast<uint8_t>(letters),
            static_cast<uint8_t>(digits >> 8), static_cast<uint8_t>(digits)};
}

Bytes name(std::string_view segment, const Bytes& value) {
    Bytes out{name_op};
    append_segment(out, segment);
    append(out, value);
    return out;
}

Bytes device(std::string_view segment, const Bytes& body) {
    return named_package({ext_op_prefix, device_op}, segment, body);
}

Bytes scope(std::string_view path, const Bytes& body) { return named_package({scope_op}, path, body); }

Bytes resource_template(const Bytes& descriptors) {
    Bytes contents = descriptors;
    // A checksum of 0 means "treat as correct" (6.4.2.9); iasl writes 0 too.
    contents.insert(contents.end(), {end_tag, 0});
    Bytes body = integer(contents.size());
    append(body, contents);
    return package({buffer_op}, body);
}

Bytes memory32_fixed(bool writable, uint32_t base, uint32_t length) {
    Bytes out{memory32_fixed_tag};
    append_le(out, 9, 2);
    out.push_back(writable ? 1 : 0);
    append_le(out, base, 4);
    append_le(out, length, 4);
    return out;
}

Bytes interrupt(Trigger trigger, Polarity polarity, uint32_t gsi) {
    constexpr uint8_t consumer = 1;  // exclusive (bit 3 clear), not wake-capable (bit 4 clear)
    Bytes out{extended_interrupt_tag};
    append_le(out, 6, 2);
    out.push_back(static_cast<uint8_t>(consumer | static_cast<uint8_t>(trigger) << 1 |
                                       static_cast<uint8_t>(polarity) << 2));
    out.push_back(1);  // one interrupt, no resource source
    append_le(out, gsi, 4);
    return out;
}

Bytes io_decode16(uint16_t min, uint16_t max, uint8_t alignment, uint8_t length) {
    Bytes out{io_tag, 1};  // bit 0: the device decodes all 16 address bits
    append_le(out, min, 2);
    append_le(out, max, 2);
    out.push_back(alignment);
    out.push_back(length);
    return out;
}

Bytes irq_no_flags(uint8_t irq) {
    if (irq > 15) throw std::invalid_argument("an IRQ descriptor holds ISA IRQs 0-15");
    Bytes out{irq_tag};
    append_le(out, uint32_t{1} << irq, 2);
    return out;
}

} // namespace cocoon::vmm::aml
