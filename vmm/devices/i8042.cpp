#include "vmm/devices/i8042.h"

namespace cocoon::vmm {
namespace {
// Status register bits.
constexpr uint8_t output_full = 0x01, system_flag = 0x04, last_was_command = 0x08, not_locked = 0x10;
// Command byte bits.
constexpr uint8_t keyboard_interrupt = 0x01, keyboard_disabled = 0x10, aux_disabled = 0x20;

constexpr uint8_t ack = 0xfa;
constexpr uint8_t self_test_passed = 0x55, interface_ok = 0x00, clock_stuck_high = 0x02;
} // namespace

I8042::I8042(std::function<void()> on_reset, IrqLine* keyboard_irq)
    : on_reset_(std::move(on_reset)), keyboard_irq_(keyboard_irq),
      data_port_(locked([this] { return read_data(); }), locked([this](uint8_t v) { write_data(v); })),
      command_port_(locked([this] { return status(); }), locked([this](uint8_t v) { write_command(v); })) {}

uint8_t I8042::status() const {
    return static_cast<uint8_t>((output_buffer_ ? output_full : 0) | (command_byte_ & system_flag) |
                                (last_write_was_command_ ? last_was_command : 0) | not_locked);
}

uint8_t I8042::read_data() {
    uint8_t byte = output_buffer_.value_or(0);
    output_buffer_.reset();
    return byte;
}

void I8042::write_command(uint8_t command) {
    last_write_was_command_ = true;
    awaiting_parameter_ = 0;
    switch (command) {
    case 0x20: output_buffer_ = command_byte_; break;
    case 0x60:                          // command byte
    case 0xd1:                          // output port
    case 0xd2: awaiting_parameter_ = command; break;  // a byte as if from the keyboard
    case 0xa7: command_byte_ |= aux_disabled; break;
    case 0xa8: command_byte_ &= ~aux_disabled; break;
    case 0xa9: output_buffer_ = clock_stuck_high; break;  // AUX test: no mouse on the port
    case 0xaa: output_buffer_ = self_test_passed; break;
    case 0xab: output_buffer_ = interface_ok; break;
    case 0xad: command_byte_ |= keyboard_disabled; break;
    case 0xae: command_byte_ &= ~keyboard_disabled; break;
    case 0xd0: output_buffer_ = output_port_; break;
    default:
        // 0xF0..0xFF pulse the output port's low bits that are clear in the command;
        // bit 0 is the CPU's reset line (0xFE, the usual reset, pulses only it).
        if ((command & 0xf0) == 0xf0 && !(command & 1)) on_reset_();
        break;  // anything else (AUX loop and send among them) is ignored, as on an AT
    }
}

void I8042::write_data(uint8_t value) {
    last_write_was_command_ = false;
    uint8_t command = awaiting_parameter_;
    awaiting_parameter_ = 0;
    switch (command) {
    case 0x60: command_byte_ = value; break;
    case 0xd1: set_output_port(value); break;
    case 0xd2: from_keyboard(value); break;
    default: from_keyboard(ack); break;  // a command to the keyboard: acknowledged, whatever it is
    }
}

void I8042::set_output_port(uint8_t value) {
    output_port_ = value;
    if (!(value & 1)) on_reset_();
}

void I8042::from_keyboard(uint8_t byte) {
    output_buffer_ = byte;
    if (keyboard_irq_ && (command_byte_ & keyboard_interrupt)) keyboard_irq_->raise();
}

} // namespace cocoon::vmm
