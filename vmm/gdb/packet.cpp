#include "vmm/gdb/packet.h"

namespace cocoon::vmm::gdb {
namespace {

constexpr char escape_char = '}';
constexpr char interrupt_char = 0x03;

bool needs_escape(char c) { return c == '$' || c == '#' || c == '}' || c == '*'; }

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

constexpr char hex_chars[] = "0123456789abcdef";

} // namespace

uint8_t checksum(std::string_view data) {
    uint8_t sum = 0;
    for (char c : data) sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
    return sum;
}

std::string escape_binary(std::string_view data) {
    std::string out;
    out.reserve(data.size());
    for (char c : data) {
        if (needs_escape(c)) {
            out.push_back(escape_char);
            out.push_back(static_cast<char>(c ^ 0x20));
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string frame(std::string_view payload) {
    std::string body = escape_binary(payload);
    uint8_t sum = checksum(body);
    std::string out;
    out.reserve(body.size() + 4);
    out.push_back('$');
    out += body;
    out.push_back('#');
    out.push_back(hex_chars[sum >> 4]);
    out.push_back(hex_chars[sum & 15]);
    return out;
}

std::optional<std::string> decode_payload(std::string_view raw) {
    std::string out;
    for (size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == escape_char) {
            if (++i == raw.size()) return std::nullopt;  // an escape with nothing after it
            out.push_back(static_cast<char>(raw[i] ^ 0x20));
        } else if (c == '*') {
            // The byte before is repeated (count - 29) more times; counts are printable.
            if (out.empty() || ++i == raw.size()) return std::nullopt;
            auto count = static_cast<unsigned char>(raw[i]);
            if (count < ' ' || count > '~') return std::nullopt;
            out.append(count - 29u, out.back());
        } else {
            out.push_back(c);
        }
        if (out.size() > max_packet) return std::nullopt;
    }
    return out;
}

std::vector<Input> PacketReader::feed(std::string_view bytes) {
    std::vector<Input> out;
    for (char c : bytes) {
        switch (state_) {
        case State::idle:
            if (c == '$') {
                raw_.clear();
                overlong_ = false;
                state_ = State::data;
            } else if (c == interrupt_char) {
                out.push_back({Input::Kind::interrupt, {}});
            } else if (c == '+') {
                out.push_back({Input::Kind::ack, {}});
            } else if (c == '-') {
                out.push_back({Input::Kind::nack, {}});
            }
            break;  // anything else between packets is noise
        case State::data:
            if (c == '#') {
                state_ = State::checksum_high;
            } else if (c == '$') {
                raw_.clear();  // a packet cut short: start again with the new one
                overlong_ = false;
            } else if (raw_.size() < max_packet) {
                raw_.push_back(c);
            } else {
                overlong_ = true;  // keep reading to the '#', storing nothing more
            }
            break;
        case State::checksum_high:
            high_ = c;
            state_ = State::checksum_low;
            break;
        case State::checksum_low:
            finish(out, c);
            state_ = State::idle;
            break;
        }
    }
    return out;
}

void PacketReader::finish(std::vector<Input>& out, char low) {
    int high = hex_digit(high_), low_digit = hex_digit(low);
    if (overlong_) {
        out.push_back({Input::Kind::malformed, "packet longer than " + std::to_string(max_packet) + " bytes"});
    } else if (high < 0 || low_digit < 0) {
        out.push_back({Input::Kind::malformed, "checksum is not two hex digits"});
    } else if (checksum(raw_) != (high << 4 | low_digit)) {
        out.push_back({Input::Kind::malformed, "bad checksum"});
    } else if (auto payload = decode_payload(raw_)) {
        out.push_back({Input::Kind::packet, std::move(*payload)});
    } else {
        out.push_back({Input::Kind::malformed, "bad escape or run-length encoding"});
    }
    raw_.clear();
}

std::string to_hex(std::span<const uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (uint8_t b : bytes) {
        out.push_back(hex_chars[b >> 4]);
        out.push_back(hex_chars[b & 15]);
    }
    return out;
}

std::string to_hex(std::string_view text) {
    return to_hex(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::optional<std::vector<uint8_t>> from_hex(std::string_view hex) {
    if (hex.size() % 2) return std::nullopt;
    std::vector<uint8_t> out(hex.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        int high = hex_digit(hex[2 * i]), low = hex_digit(hex[2 * i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        out[i] = static_cast<uint8_t>(high << 4 | low);
    }
    return out;
}

std::optional<uint64_t> parse_hex(std::string_view hex) {
    if (hex.empty() || hex.size() > 16) return std::nullopt;
    uint64_t value = 0;
    for (char c : hex) {
        int d = hex_digit(c);
        if (d < 0) return std::nullopt;
        value = value << 4 | static_cast<uint64_t>(d);
    }
    return value;
}

} // namespace cocoon::vmm::gdb
