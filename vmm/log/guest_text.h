// Text the guest chose (a process name in a trace record) as cocoon writes it out: in
// log lines on a terminal, the JSON log, the timeline, the SVG pictures, the maps. The
// guest chooses every byte, so its text is bytes, not UTF-8: a name holding 0xFF made
// the timeline's JSON writer throw, and one holding ESC could drive the terminal.
//
// guest_text() is where those bytes become text, once, as they are read:
//   - printable ASCII and valid UTF-8 characters stay as they are;
//   - every other byte becomes \xHH (two hex digits, upper case): a control character
//     (C0, DEL, C1), a character that moves or hides text (U+200E, U+200F, U+2028,
//     U+2029, U+202A–U+202E, U+2066–U+2069), and any byte of no valid UTF-8 sequence
//     (0xFF, a stray continuation byte, an overlong form, a surrogate, a cut sequence);
//   - a backslash becomes \\, so \xHH always means a byte the guest wrote;
//   - the result is at most `limit` bytes: past that it is cut at a character and ends
//     in "…".
// The result is printable, valid UTF-8: a JSON writer takes it as it is, and the SVG
// pictures need only xml_escape() (vmm/svg/xml_escape.h) for '<', '&' and quotes.
// Header-only: xml_escape() uses utf8_length() too, and the benchmark plots, which link
// no VMM code, use xml_escape().
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cocoon::vmm {

// A 16-byte name is at most 64 bytes of \xHH: never cut.
inline constexpr size_t guest_text_limit = 64;

// The length of the valid UTF-8 sequence starting at `text[at]`, its code point in
// `code`; 0 if none starts there (a bad lead byte, overlong, a surrogate, past U+10FFFF,
// cut short).
inline size_t utf8_length(std::string_view text, size_t at, char32_t& code) {
    auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
    uint8_t lead = byte(at);
    size_t length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3
                                  : lead >= 0xf0 && lead <= 0xf4   ? 4
                                                                   : 0;
    if (length == 0 || text.size() - at < length) return 0;
    code = length == 1 ? lead : lead & (0x7f >> length);
    for (size_t i = 1; i < length; ++i) {
        if ((byte(at + i) & 0xc0) != 0x80) return 0;
        code = code << 6 | (byte(at + i) & 0x3f);
    }
    static constexpr char32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < least[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
    return length;
}

// Characters guest_text() escapes although they are valid UTF-8.
inline bool is_hidden_character(char32_t c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x200e || c == 0x200f || c == 0x2028 || c == 0x2029 ||
           (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

inline std::string guest_text(std::string_view bytes, size_t limit = guest_text_limit) {
    static constexpr std::string_view ellipsis = "…";
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    size_t cut = std::string::npos;  // the last end of a character after which "…" fits
    for (size_t at = 0; at < bytes.size();) {
        char32_t code = 0;
        size_t length = utf8_length(bytes, at, code);
        size_t before = out.size();
        if (before + ellipsis.size() <= limit) cut = before;
        if (length && code == '\\') {
            out += "\\\\";
        } else if (length && !is_hidden_character(code)) {
            out += bytes.substr(at, length);
        } else {
            length = length ? length : 1;  // a hidden character: each of its bytes
            for (size_t i = 0; i < length; ++i) {
                auto b = static_cast<uint8_t>(bytes[at + i]);
                out += {'\\', 'x', hex[b >> 4], hex[b & 15]};
            }
        }
        if (out.size() > limit) {
            out.resize(cut == std::string::npos ? before : cut);
            if (cut != std::string::npos) out += ellipsis;
            return out;
        }
        at += length;
    }
    return out;
}

// `text` (already guest_text) as part of a file name: letters, digits, '.', '-' and '_'
// stay, anything else (a '/', a backslash, non-ASCII) becomes '_'. The map of a process
// named "../../x" stays in the maps folder.
inline std::string file_name_part(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '_';
        if (!keep) c = '_';
    }
    return out;
}

} // namespace cocoon::vmm
