#include "vmm/console/echo.h"

#include <fmt/format.h>

namespace cocoon::vmm {

std::string key_name(uint8_t byte) {
    switch (byte) {
    case '\t': return "TAB";
    case '\r': return "CR";
    case '\n': return "LF";
    case '\b': return "BS";
    case 0x7f: return "DEL";
    }
    if (byte < 0x20) return fmt::format("^{:c}", char(byte + 0x40));
    if (byte >= 0x80) return fmt::format("{:#04x}", byte);
    return fmt::format("'{:c}'", char(byte));
}

} // namespace cocoon::vmm
