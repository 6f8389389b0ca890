// The machine cocoon presents to its guest: where each device lives and which
// interrupt it raises. Every address here is also valid on QEMU's `-M microvm`,
// except the trace device, which is cocoon's own and absent there.
#pragma once
#include <stdint.h>

namespace cocoon::platform {

// 16550 UART, the console. COM1.
inline constexpr uint16_t uart_port = 0x3f8;
inline constexpr uint16_t uart_port_count = 8;
inline constexpr uint32_t uart_irq = 4;

// i8254 PIT: channel 0 drives IRQ 0 at 1.193182 MHz / divisor.
inline constexpr uint16_t pit_port = 0x40;
inline constexpr uint16_t pit_port_count = 4;
inline constexpr uint32_t pit_irq = 0;
inline constexpr uint32_t pit_hz = 1193182;

// Port 0x61: PIT channel 2's gate (bit 0) and output (bit 5), which Linux calibrates
// the TSC against.
inline constexpr uint16_t port61 = 0x61;

// CMOS RTC: index at 0x70, data at 0x71; the host's time (UTC).
inline constexpr uint16_t rtc_port = 0x70;
inline constexpr uint16_t rtc_port_count = 2;

// i8042: data at 0x60, command and status at 0x64; command 0xfe resets the machine,
// which ends the run with status 0 (Linux's reboot=k).
inline constexpr uint16_t i8042_data_port = 0x60;
inline constexpr uint16_t i8042_command_port = 0x64;

// Port 0x80, the POST code and I/O delay port: taken and ignored.
inline constexpr uint16_t post_port = 0x80;

// Exit port, QEMU's isa-debug-exit (iobase=0xf4, iosize=0x04). A 32-bit write of
// `value` ends the run: cocoon exits with `value` (see vmm exit statuses), QEMU with
// `(value << 1) | 1`.
inline constexpr uint16_t exit_port = 0xf4;
inline constexpr uint16_t exit_port_count = 4;

// The paravirtual trace device (see trace.h). Reads of an absent device return all
// ones, so a guest probes `trace_reg_magic` before using it.
inline constexpr uint16_t trace_port = 0x0e00;
inline constexpr uint16_t trace_port_count = 0x20;

// virtio-mmio windows: device i at virtio_mmio_base + i * virtio_mmio_stride, raising
// IRQ virtio_mmio_irq_base + i. The VMM announces each on the kernel command line as
// `virtio_mmio.device=<size>@<base>:<irq>`, the way Linux discovers them.
inline constexpr uint64_t virtio_mmio_base = 0xd0000000;
inline constexpr uint64_t virtio_mmio_stride = 0x1000;
inline constexpr uint64_t virtio_mmio_size = 0x200;
inline constexpr uint32_t virtio_mmio_irq_base = 5;

} // namespace cocoon::platform
