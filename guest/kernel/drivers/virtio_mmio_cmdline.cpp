#include "kernel/drivers/virtio_mmio_cmdline.h"

#include "kernel/lib/string.h"

namespace kernel::drivers {
namespace {

// A number at `p` (decimal or 0x-hex); advances `p`. False if there are no digits.
bool parse_number(const char*& p, uint64_t& value) {
    uint64_t base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    const char* start = p;
    value = 0;
    for (;; ++p) {
        uint64_t digit;
        if (*p >= '0' && *p <= '9') digit = static_cast<uint64_t>(*p - '0');
        else if (base == 16 && *p >= 'a' && *p <= 'f') digit = static_cast<uint64_t>(*p - 'a' + 10);
        else if (base == 16 && *p >= 'A' && *p <= 'F') digit = static_cast<uint64_t>(*p - 'A' + 10);
        else break;
        if (value > (~0ull - digit) / base) return false;  // overflow
        value = value * base + digit;
    }
    return p != start;
}

bool parse_entry(const char* p, MmioWindow& w) {
    uint64_t irq = 0;
    if (!parse_number(p, w.size)) return false;
    if (*p == 'K' || *p == 'k') w.size <<= 10, ++p;
    else if (*p == 'M' || *p == 'm') w.size <<= 20, ++p;
    if (*p++ != '@' || !parse_number(p, w.base) || *p++ != ':' || !parse_number(p, irq)) return false;
    if (*p && *p != ' ' && *p != ':') return false;  // Linux allows a trailing ":<id>"
    w.irq = static_cast<uint32_t>(irq);
    return w.size != 0 && irq < 256;
}

} // namespace

int parse_virtio_mmio_devices(const char* cmdline, MmioWindow out[max_mmio_windows]) {
    static const char key[] = "virtio_mmio.device=";
    int count = 0;
    for (const char* p = cmdline; *p && count < max_mmio_windows;) {
        while (*p == ' ') ++p;
        if (strncmp(p, key, sizeof key - 1) == 0 && parse_entry(p + sizeof key - 1, out[count])) ++count;
        while (*p && *p != ' ') ++p;
    }
    return count;
}

} // namespace kernel::drivers
