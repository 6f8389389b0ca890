// port_storm: a pseudo-random value written to every port from 0 to 0xffff and read
// back, in three passes: 1, 2, then 4 bytes. The exit port (0xf4-0xf7) is left alone
// until the end: no access that touches it.
#include "hostile/common.h"

using namespace hostile;

namespace {

bool touches_exit_port(uint32_t port, uint32_t size) {
    return port < cocoon::platform::exit_port + cocoon::platform::exit_port_count &&
           port + size > cocoon::platform::exit_port;
}

} // namespace

extern "C" int guest_main(uint32_t) {
    Rng rng{0x9e3779b97f4a7c15};
    for (uint32_t size = 1; size <= 4; size *= 2) {
        uint32_t all_ones = 0, ports = 0;
        for (uint32_t port = 0; port <= 0xffff; ++port) {
            uint64_t r = rng.next();
            if (touches_exit_port(port, size)) continue;
            auto p = static_cast<uint16_t>(port);
            uint32_t back;
            if (size == 1) outb(p, static_cast<uint8_t>(r)), back = inb(p) == 0xff;
            else if (size == 2) outw(p, static_cast<uint16_t>(r)), back = inw(p) == 0xffff;
            else outl(p, static_cast<uint32_t>(r)), back = inl(p) == 0xffffffff;
            all_ones += back;
            ++ports;
        }
        // The storm left the UART in some state: words out, no divisor latch, no interrupts.
        outb(cocoon::platform::uart_port + 3, 0x03);
        outb(cocoon::platform::uart_port + 1, 0x00);
        print("\nport_storm: ");
        print_dec(size);
        print("-byte pass over ");
        print_dec(ports);
        print(" ports, ");
        print_dec(all_ones);
        println(" read back all ones");
    }
    println("survived");
    return 0;
}
