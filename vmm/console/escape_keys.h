// The keys that speak to cocoon instead of the guest when stdin is a terminal, as QEMU's
// do: Ctrl-A, then a key that says what to do. Every other byte passes to the guest.
#pragma once
#include <cstdint>
#include <string>

namespace cocoon::vmm {

class EscapeKeys {
public:
    static constexpr uint8_t prefix = 0x01;  // Ctrl-A
    static constexpr uint8_t quit_key = 'x';
    static constexpr uint8_t help_key = 'h';

    enum class Action {
        to_guest,  // the byte goes to the guest (after Ctrl-A, Ctrl-A itself: one is sent)
        held,      // Ctrl-A: the next key decides
        quit,      // Ctrl-A x: cocoon ends
        help,      // Ctrl-A h, or after Ctrl-A a key that means nothing: the keys are shown
    };
    struct Key {
        Action action;
        uint8_t byte;
    };

    Key take(uint8_t byte);

private:
    bool after_prefix_ = false;
};

// What Ctrl-A h shows, a line per key.
std::string escape_keys_help();

} // namespace cocoon::vmm
