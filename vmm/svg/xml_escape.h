// Text for SVG pictures: names come from the guest, so every one is escaped.
#pragma once
#include <string>
#include <string_view>

#include "vmm/log/guest_text.h"

namespace cocoon::vmm {

// `text` safe inside an XML element or a single-quoted attribute, and valid UTF-8
// whatever it held: an ASCII control character becomes '?', a byte of no valid UTF-8
// sequence (or U+FFFE, U+FFFF, which XML forbids) becomes U+FFFD. Guest names arrive
// as guest_text() already, which leaves only the markup to escape.
inline std::string xml_escape(std::string_view text) {
    std::string out;
    for (size_t at = 0; at < text.size();) {
        char32_t code = 0;
        size_t length = utf8_length(text, at, code);
        if (length == 0 || code == 0xfffe || code == 0xffff) out += "\uFFFD";
        else if (code == '<') out += "&lt;";
        else if (code == '>') out += "&gt;";
        else if (code == '&') out += "&amp;";
        else if (code == '\'') out += "&apos;";
        else if (code < 0x20 || code == 0x7f) out += '?';  // control characters are not XML
        else out += text.substr(at, length);
        at += length ? length : 1;
    }
    return out;
}

} // namespace cocoon::vmm
