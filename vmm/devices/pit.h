// The i8254 programmable interval timer, channel 0 wired to IRQ 0, as a model driven
// by explicit time so that it is deterministic under test. Modes 0 (interrupt on
// terminal count), 2 (rate generator) and 3 (square wave); the mode/command register
// with latch, lobyte, hibyte and lobyte-then-hibyte access; counter latch and the
// read-back command. Channels 1 and 2 keep their registers but raise nothing.
//
// A guest may not make the timer fire faster than min_period: a runaway guest cannot
// flood the host. Missed periods are coalesced into one interrupt.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>

namespace cocoon::vmm {

class Pit {
public:
    using Time = std::chrono::nanoseconds;
    static constexpr uint32_t input_hz = 1193182;
    static constexpr Time min_period = std::chrono::microseconds(100);  // 10 kHz

    void write(uint8_t port, uint8_t value, Time now);   // port 0..3
    uint8_t read(uint8_t port, Time now);

    // When channel 0's next interrupt is due, if it is armed.
    std::optional<Time> next_irq() const;
    // How many interrupts are due at `now` (0 or 1: missed periods coalesce).
    unsigned expire(Time now);

private:
    struct Channel {
        uint8_t mode = 0;
        uint8_t access = 3;         // 1 lobyte, 2 hibyte, 3 lobyte then hibyte
        uint16_t reload = 0;        // 0 means 65536
        bool write_high_next = false;
        bool read_high_next = false;
        std::optional<uint16_t> latched;
        std::optional<uint8_t> status_latched;
        bool armed = false;         // counting since `start`
        Time start{};
        bool output = false;
        bool null_count = true;
    };

    uint32_t period_ticks(const Channel& c) const { return c.reload ? c.reload : 65536; }
    Time period(const Channel& c) const;
    uint16_t current_count(const Channel& c, Time now) const;
    void command(uint8_t value, Time now);
    void load_count(Channel& c, Time now);

    Channel channels_[3];
    std::optional<Time> next_irq_;
};

} // namespace cocoon::vmm
