// The i8254 programmable interval timer, channel 0 wired to IRQ 0, as a model driven
// by explicit time so that it is deterministic under test. Modes 0 (interrupt on
// terminal count), 1 and 5 (started by a rising gate), 2 (rate generator), 3 (square
// wave) and 4 (software-triggered strobe: one interrupt, Linux's one-shot clockevent);
// the mode/command register with latch, lobyte, hibyte and lobyte-then-hibyte access;
// counter latch and the read-back command. Channel 2's gate and output are on port 0x61
// (system control port B), where Linux calibrates the TSC against them.
//
// A guest may not make the timer fire faster than min_period: a runaway guest cannot
// flood the host. Missed periods are coalesced into one interrupt. The one-shot modes
// are not clamped: each of their interrupts costs the guest a write.
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

    Pit() { channels_[2].gate = false; }  // port 0x61 starts at 0

    void write(uint8_t port, uint8_t value, Time now);   // port 0..3
    uint8_t read(uint8_t port, Time now);

    // Port 0x61: bit 0 gates channel 2, bit 1 enables the speaker, bits 2 and 3 are
    // kept; a read adds channel 2's output (bit 5) and the refresh toggle (bit 4).
    void write_port61(uint8_t value, Time now);
    uint8_t read_port61(Time now) const;

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
        bool gate = true;           // only channel 2's can be lowered
        Time gate_fell{};           // while the gate is low, counting stopped here
        bool null_count = true;
    };

    static bool one_shot(const Channel& c) { return c.mode == 0 || c.mode == 1 || c.mode == 4 || c.mode == 5; }
    uint32_t period_ticks(const Channel& c) const { return c.reload ? c.reload : 65536; }
    Time period(const Channel& c) const;
    uint64_t elapsed_ticks(const Channel& c, Time now) const;
    uint16_t current_count(const Channel& c, Time now) const;
    bool output(const Channel& c, Time now) const;
    void command(uint8_t value, Time now);
    void load_count(Channel& c, Time now);
    void start_counting(Channel& c, Time now);
    void set_gate(Channel& c, bool high, Time now);

    Channel channels_[3];
    std::optional<Time> next_irq_;
    uint8_t port61_ = 0;            // bits 0..3 as last written
};

} // namespace cocoon::vmm
