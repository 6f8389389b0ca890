#include "vmm/devices/pit.h"

#include <algorithm>

namespace cocoon::vmm {

Pit::Time Pit::period(const Channel& c) const {
    Time t{static_cast<int64_t>(uint64_t{period_ticks(c)} * 1000000000ull / input_hz)};
    return c.mode == 0 ? t : std::max(t, min_period);
}

uint16_t Pit::current_count(const Channel& c, Time now) const {
    if (!c.armed) return c.reload;
    uint64_t elapsed = static_cast<uint64_t>((now - c.start).count()) * input_hz / 1000000000ull;
    uint32_t p = period_ticks(c);
    if (c.mode == 0) return static_cast<uint16_t>(elapsed >= p ? 0 : p - elapsed);
    if (c.mode == 3) {  // counts down from N by two, twice per period
        uint32_t half = p / 2 ? p / 2 : 1;
        return static_cast<uint16_t>(p - 2 * (elapsed % half));
    }
    return static_cast<uint16_t>(p - elapsed % p);
}

void Pit::load_count(Channel& c, Time now) {
    c.null_count = false;
    // Mode 0 restarts on every write; modes 2 and 3 keep the running period unless
    // they were not counting yet (the new count takes effect at the next reload).
    if (c.mode == 0 || !c.armed) {
        c.armed = true;
        c.start = now;
        c.output = c.mode != 0;
        if (&c == &channels_[0]) next_irq_ = c.start + period(c);
    }
}

void Pit::command(uint8_t value, Time now) {
    uint8_t select = value >> 6;
    if (select == 3) {  // read-back: bits 1..3 pick channels; bit 5 clear: latch count, bit 4 clear: status
        for (int i = 0; i < 3; ++i) {
            if (!(value & (2 << i))) continue;
            Channel& c = channels_[i];
            if (!(value & 0x20) && !c.latched) c.latched = current_count(c, now);
            if (!(value & 0x10))
                c.status_latched = static_cast<uint8_t>((c.output ? 0x80 : 0) | (c.null_count ? 0x40 : 0) |
                                                        (c.access << 4) | (c.mode << 1));
        }
        return;
    }
    Channel& c = channels_[select];
    uint8_t access = (value >> 4) & 3;
    if (access == 0) {  // counter latch
        if (!c.latched) c.latched = current_count(c, now);
        return;
    }
    c.access = access;
    c.mode = (value >> 1) & 7;
    if (c.mode > 5) c.mode -= 4;  // 6 and 7 are aliases of 2 and 3
    c.write_high_next = c.read_high_next = false;
    c.armed = false;
    c.null_count = true;
    c.output = c.mode != 0 ? true : false;
    if (select == 0) next_irq_.reset();
}

void Pit::write(uint8_t port, uint8_t value, Time now) {
    if (port == 3) return command(value, now);
    if (port > 3) return;
    Channel& c = channels_[port];
    switch (c.access) {
    case 1: c.reload = value; break;
    case 2: c.reload = static_cast<uint16_t>(value << 8); break;
    default:
        if (!c.write_high_next) {
            c.reload = static_cast<uint16_t>((c.reload & 0xff00) | value);
            c.write_high_next = true;
            return;  // counting starts when both bytes are in
        }
        c.reload = static_cast<uint16_t>((c.reload & 0x00ff) | (value << 8));
        c.write_high_next = false;
    }
    load_count(c, now);
}

uint8_t Pit::read(uint8_t port, Time now) {
    if (port > 2) return 0xff;  // the command register is write-only
    Channel& c = channels_[port];
    if (c.status_latched) {
        uint8_t s = *c.status_latched;
        c.status_latched.reset();
        return s;
    }
    uint16_t count = c.latched ? *c.latched : current_count(c, now);
    bool high = c.access == 2 || (c.access == 3 && c.read_high_next);
    if (c.access == 3) c.read_high_next = !c.read_high_next;
    if (c.access != 3 || !c.read_high_next) c.latched.reset();  // a latch holds until fully read
    return high ? static_cast<uint8_t>(count >> 8) : static_cast<uint8_t>(count);
}

std::optional<Pit::Time> Pit::next_irq() const { return next_irq_; }

unsigned Pit::expire(Time now) {
    if (!next_irq_ || now < *next_irq_) return 0;
    Channel& c = channels_[0];
    if (c.mode == 0) {
        next_irq_.reset();  // one interrupt at terminal count
        c.output = true;
        return 1;
    }
    Time p = period(c);
    // Coalesce: the next deadline is the first period boundary after now.
    auto missed = (now - *next_irq_) / p;
    next_irq_ = *next_irq_ + p * (missed + 1);
    return 1;
}

} // namespace cocoon::vmm
