// A tiny encoder of ACPI Machine Language (ACPI 6.x, chapter 20), just what a DSDT
// that names devices needs: Scope, Device, Name, integers, strings, EisaId, and
// resource templates (chapter 6.4) with the descriptors cocoon's devices use. Each
// function returns the encoded bytes of one term; a term's body is bytes already
// encoded, so terms nest as ASL's braces do.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace cocoon::vmm::aml {

using Bytes = std::vector<uint8_t>;

// `size` bytes of `value`, least significant first, as every ACPI field is stored.
void append_le(Bytes& out, uint64_t value, unsigned size);
inline void append(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

// PkgLength: the length of what follows the opcode, these bytes included.
Bytes pkg_length(size_t body_size);

Bytes integer(uint64_t value);         // Zero, One, or the shortest Byte/Word/DWord/QWord
Bytes string(std::string_view text);   // "text", NUL-terminated
Bytes eisa_id(std::string_view id);    // EisaId("PNP0501"): three letters, four hex digits

// Name segments are four characters, [A-Z_][A-Z0-9_]{3}; a path may start with '\'.
Bytes name(std::string_view segment, const Bytes& value);        // Name (SEGM, value)
Bytes device(std::string_view segment, const Bytes& body);       // Device (SEGM) { body }
Bytes scope(std::string_view path, const Bytes& body);           // Scope (\SEGM) { body }

// ResourceTemplate () { descriptors }: a Buffer ending in the End Tag.
Bytes resource_template(const Bytes& descriptors);

enum class Trigger : uint8_t { level = 0, edge = 1 };
enum class Polarity : uint8_t { active_high = 0, active_low = 1 };

Bytes memory32_fixed(bool writable, uint32_t base, uint32_t length);  // Memory32Fixed
Bytes interrupt(Trigger trigger, Polarity polarity, uint32_t gsi);     // Interrupt (ResourceConsumer, …, Exclusive)
Bytes io_decode16(uint16_t min, uint16_t max, uint8_t alignment, uint8_t length);  // IO (Decode16, …)
Bytes irq_no_flags(uint8_t irq);                                      // IRQNoFlags () {irq}

} // namespace cocoon::vmm::aml
