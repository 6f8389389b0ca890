// Text for SVG pictures: names come from the guest, so every one is escaped.
#pragma once
#include <string>

namespace cocoon::vmm {

// `text` safe inside an XML element or a single-quoted attribute.
inline std::string xml_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '&') out += "&amp;";
        else if (c == '\'') out += "&apos;";
        else if (static_cast<unsigned char>(c) < 0x20) out += '?';  // control characters are not XML
        else out += c;
    }
    return out;
}

} // namespace cocoon::vmm
