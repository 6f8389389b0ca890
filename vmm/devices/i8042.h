// The i8042 keyboard controller as far as a machine with no keyboard needs it: its
// CPU reset line, which ends the run (command 0xFE, any pulse of output bit 0, or an
// output-port write that clears it), and enough of the rest for Linux's i8042 and atkbd
// drivers to probe without errors, as Firecracker's does: the command byte (0x20 reads
// it, 0x60 writes it), the output port (0xD0, 0xD1), the self-tests, and an
// acknowledgement (0xFA) to every byte sent to the keyboard, with IRQ 1 if the command
// byte enables it. The AUX (mouse) port reports nothing attached. Status bit 4 says the
// keyboard is not locked, or Linux warns "Keylock active".
//
// Its two ports are not adjacent (0x61 between belongs to the PIT): data_port() goes
// on the bus at 0x60, command_port() at 0x64. Either may be reached from any vCPU
// thread: a mutex guards the controller's state.
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

#include "vmm/bus/device.h"
#include "vmm/devices/byte_port.h"

namespace cocoon::vmm {

class I8042 {
public:
    explicit I8042(std::function<void()> on_reset, IrqLine* keyboard_irq = nullptr);
    Device& data_port() { return data_port_; }
    Device& command_port() { return command_port_; }  // reads the status register

private:
    // `access` with the controller's state to itself, for a port to call from any thread.
    template <typename Access>
    auto locked(Access access) {
        return [this, access](auto... value) {
            std::lock_guard lock(mutex_);
            return access(value...);
        };
    }
    uint8_t status() const;
    uint8_t read_data();
    void write_command(uint8_t command);
    void write_data(uint8_t value);
    void set_output_port(uint8_t value);
    void from_keyboard(uint8_t byte);  // into the output buffer, with IRQ 1 if enabled

    std::function<void()> on_reset_;
    IrqLine* keyboard_irq_;
    std::mutex mutex_;
    uint8_t command_byte_ = 0x65;   // translate, no AUX, system flag, keyboard interrupt
    uint8_t output_port_ = 0x03;    // reset line high, A20 on
    uint8_t awaiting_parameter_ = 0;  // the command whose byte the data port gets next
    bool last_write_was_command_ = false;
    std::optional<uint8_t> output_buffer_;
    BytePort data_port_;
    BytePort command_port_;
};

} // namespace cocoon::vmm
