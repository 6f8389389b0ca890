// The GDB remote serial protocol's byte layer, with no knowledge of any command or of
// KVM: framing ($payload#xx), checksums, '}' escapes, run-length decoding ('*'), acks
// and the bare 0x03 that means Ctrl-C. Everything here reads bytes from a client we do
// not trust: malformed input becomes an Input of kind `malformed`, never an exception.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cocoon::vmm::gdb {

// The most data bytes between '$' and '#' we accept, and advertise as PacketSize.
inline constexpr size_t max_packet = 16384;

// Sum of the bytes modulo 256, as the two hex digits after '#' carry it.
uint8_t checksum(std::string_view data);

// "$" + payload with '$', '#', '}' and '*' escaped + "#" + checksum.
std::string frame(std::string_view payload);

// '}' escapes for binary data ('$', '#', '}', '*' become '}' and the byte xor 0x20).
std::string escape_binary(std::string_view data);

// Expands run-length encoding ("0* " is "0000") and '}' escapes of a packet's data;
// nullopt when it is malformed or expands beyond max_packet.
std::optional<std::string> decode_payload(std::string_view raw);

// What the client sent, one unit at a time.
struct Input {
    enum class Kind {
        packet,     // a well-formed packet: `text` is its decoded payload
        malformed,  // bad checksum, bad escape, too long: `text` says why; answer '-'
        interrupt,  // 0x03 outside a packet: Ctrl-C
        ack,        // '+'
        nack,       // '-': resend the last packet
    };
    Kind kind;
    std::string text;
};

// Splits a byte stream into Inputs; a packet may arrive in any number of pieces.
class PacketReader {
public:
    std::vector<Input> feed(std::string_view bytes);

private:
    enum class State { idle, data, checksum_high, checksum_low };
    void finish(std::vector<Input>& out, char low);

    State state_ = State::idle;
    std::string raw_;
    bool overlong_ = false;
    char high_ = 0;
};

// Lower-case hex of bytes, and back; from_hex refuses odd lengths and non-hex digits.
std::string to_hex(std::span<const uint8_t> bytes);
std::string to_hex(std::string_view text);
std::optional<std::vector<uint8_t>> from_hex(std::string_view hex);
// A hex number of 1..16 digits and nothing else.
std::optional<uint64_t> parse_hex(std::string_view hex);

} // namespace cocoon::vmm::gdb
