// A byte typed and the guest's echo of it, on the host's steady clock: the response time
// a user feels, as cocoon sees it at the UART.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace cocoon::vmm {

using HostTime = std::chrono::steady_clock::time_point;

struct Echo {
    uint8_t byte;
    HostTime handed;  // the byte entered the UART's receive FIFO: the guest could read it
    HostTime echoed;  // the guest wrote the first byte of its echo
    std::chrono::nanoseconds latency() const { return echoed - handed; }
};

// A key as the log names it: 'a' for a printable character, TAB, CR, LF, BS, DEL, ^C for
// another control character, 0xc3 for a byte past ASCII (part of a UTF-8 character).
std::string key_name(uint8_t byte);

} // namespace cocoon::vmm
