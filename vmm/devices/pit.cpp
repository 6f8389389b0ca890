#include "vmm/devices/pit.h"

#include <algorithm>

namespace cocoon::vmm {
namespace {
constexpr uint64_t ns_per_s = 1000000000;

// Input clocks in a span of time, split so that hours of counting cannot overflow.
uint64_t ticks_in(Pit::Time t) {
    auto ns = static_cast<uint64_t>(std::max(t.count(), int64_t{0}));
    return ns / ns_per_s * Pit::input_hz + ns % ns_per_s * Pit::input_hz / ns_per_s;
}
} // namespace

Pit::Time Pit::period(const Channel& c) const {
    // Rounded up, so that at the interrupt the count has reached its end.
    uint64_t ticks = period_ticks(c);
    Time t{static_cast<int64_t>((ticks * ns_per_s + input_hz - 1) / input_hz)};
    return one_shot(c) ? t : std::max(t, min_period);
}

uint64_t Pit::elapsed_ticks(const Channel& c, Time now) const {
    return ticks_in((c.gate ? now : c.gate_fell) - c.start);  // a low gate holds the count
}

uint16_t Pit::current_count(const Channel& c, Time now) const {
    if (!c.armed) return c.reload;
    uint64_t elapsed = elapsed_ticks(c, now);
    uint32_t p = period_ticks(c);
    if (c.mode == 0) return static_cast<uint16_t>(elapsed >= p ? 0 : p - elapsed);
    if (one_shot(c)) return static_cast<uint16_t>(p - elapsed);  // past terminal count it wraps and runs on
    if (c.mode == 3) {  // counts down from N by two, twice per period
        uint32_t half = p / 2 ? p / 2 : 1;
        return static_cast<uint16_t>(p - 2 * (elapsed % half));
    }
    return static_cast<uint16_t>(p - elapsed % p);
}

bool Pit::output(const Channel& c, Time now) const {
    if (!c.armed) return c.mode != 0;  // mode 0's control word sets OUT low, the others' high
    uint64_t e = elapsed_ticks(c, now);
    uint32_t p = period_ticks(c);
    switch (c.mode) {
    case 0:
    case 1: return e >= p;                         // low from the start until terminal count
    case 2: return !c.gate || e % p != p - 1;      // low for the one clock at count 1
    case 3: return !c.gate || e % p < (p + 1) / 2; // high for the first half of each period
    default: return e != p;                        // 4 and 5: a one-clock strobe at terminal count
    }
}

void Pit::start_counting(Channel& c, Time now) {
    c.armed = true;
    c.start = c.gate_fell = now;
    if (&c == &channels_[0]) next_irq_ = c.start + period(c);
}

void Pit::load_count(Channel& c, Time now) {
    c.null_count = false;
    // Modes 0 and 4 restart on every write; 2 and 3 keep the running period unless they
    // were not counting yet (the new count takes effect at the next reload); 1 and 5
    // wait for the gate's rising edge.
    if (c.mode == 1 || c.mode == 5) return;
    if (c.mode == 0 || c.mode == 4 || !c.armed) start_counting(c, now);
}

void Pit::set_gate(Channel& c, bool high, Time now) {
    if (high == c.gate) return;
    c.gate = high;
    if (!high) {
        c.gate_fell = now;
        return;
    }
    // A rising edge lets modes 0 and 4 count on from where they stopped, and starts the
    // others afresh from their count.
    if (c.mode == 0 || c.mode == 4) c.start += now - c.gate_fell;
    else if (!c.null_count) start_counting(c, now);
}

void Pit::command(uint8_t value, Time now) {
    uint8_t select = value >> 6;
    if (select == 3) {  // read-back: bits 1..3 pick channels; bit 5 clear: latch count, bit 4 clear: status
        for (int i = 0; i < 3; ++i) {
            if (!(value & (2 << i))) continue;
            Channel& c = channels_[i];
            if (!(value & 0x20) && !c.latched) c.latched = current_count(c, now);
            if (!(value & 0x10))
                c.status_latched = static_cast<uint8_t>((output(c, now) ? 0x80 : 0) | (c.null_count ? 0x40 : 0) |
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

void Pit::write_port61(uint8_t value, Time now) {
    port61_ = value & 0x0f;
    set_gate(channels_[2], value & 1, now);
}

uint8_t Pit::read_port61(Time now) const {
    // On the PC/AT channel 1 requested a DRAM refresh every 18 input clocks (15 µs), and
    // bit 4 toggles with each: code that waits for it to flip sees time pass.
    bool refresh = ticks_in(now) / 18 % 2;
    return static_cast<uint8_t>(port61_ | (refresh ? 0x10 : 0) | (output(channels_[2], now) ? 0x20 : 0));
}

std::optional<Pit::Time> Pit::next_irq() const { return next_irq_; }

unsigned Pit::expire(Time now) {
    if (!next_irq_ || now < *next_irq_) return 0;
    Channel& c = channels_[0];
    if (one_shot(c)) {
        next_irq_.reset();  // one interrupt at terminal count
        return 1;
    }
    Time p = period(c);
    // Coalesce: the next deadline is the first period boundary after now.
    auto missed = (now - *next_irq_) / p;
    next_irq_ = *next_irq_ + p * (missed + 1);
    return 1;
}

} // namespace cocoon::vmm
