// What the guest runs on, as the builder (builder.h) assembles it: the KVM VM and its
// RAM, a loop per vCPU, the devices on the port and MMIO buses, and the event loop that
// runs their timers and notifications. Each member is declared after what it uses, so
// that it goes first.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "vmm/bus/bus.h"
#include "vmm/cli/options.h"
#include "vmm/console/console_writer.h"
#include "vmm/console/echo_timer.h"
#include "vmm/devices/cmos_rtc.h"
#include "vmm/devices/discard_port.h"
#include "vmm/devices/exit_port.h"
#include "vmm/devices/i8042.h"
#include "vmm/devices/pit_device.h"
#include "vmm/devices/uart.h"
#include "vmm/devices/virtio_blk.h"
#include "vmm/kvm/kvm.h"
#include "vmm/memory/guest_memory.h"
#include "vmm/storage/disk_image.h"
#include "vmm/trace/event_log.h"
#include "vmm/trace/trace_device.h"
#include "vmm/vcpu/debug_hooks.h"
#include "vmm/vcpu/vcpu_loop.h"
#include "vmm/virtio/mmio_slot.h"

namespace cocoon::vmm {

// The ISA devices of every cocoon machine, for the port bus (cocoon/platform.h).
struct LegacyDevices {
    LegacyDevices(Vm& vm, boost::asio::io_context& events, Uart::Output console, UartWatcher& console_watcher,
                  std::function<void(uint32_t)> on_exit_value, std::function<void()> on_reset);
    IrqFd uart_irq;
    Uart uart;  // the console
    ExitPort exit_port;
    IrqFd pit_irq;
    PitDevice pit;
    CmosRtc rtc;
    I8042 i8042;  // for its reset line: Linux's reboot=k
    DiscardPort post_port;
};

// The guest's trace: the device its kernel announces the ring to, and the log of what
// the ring holds.
struct Tracing {
    Tracing(Vm& vm, const GuestMemory& memory, boost::asio::io_context& events, uint32_t tsc_khz,
            const std::string& maps_out);
    EventLog log;
    TraceDevice device;
};

// A --disk: the image, the virtio-blk device over it, and its virtio-mmio slot.
struct Disk {
    Disk(const DiskOption& option, uint32_t index, Vm& vm, const GuestMemory& memory, Bus& mmio,
         boost::asio::io_context& events);
    DiskImage image;
    VirtioBlk blk;
    VirtioMmioSlot slot;
};

struct Hardware {
    explicit Hardware(uint64_t ram_size);  // the VM with its RAM; the builder adds the rest
    Hardware(const Hardware&) = delete;
    Hardware& operator=(const Hardware&) = delete;

    Kvm kvm;
    Vm vm;
    GuestMemory memory;
    boost::asio::io_context events;
    Bus pio{"port"};
    Bus mmio{"mmio"};
    ConsoleWriter console{events, STDOUT_FILENO};
    EchoTimer echoes{events};  // watches the UART: each key typed until the guest echoes it
    std::unique_ptr<LegacyDevices> legacy;
    std::vector<std::unique_ptr<VcpuLoop>> vcpus;
    std::unique_ptr<Tracing> tracing;
    std::vector<std::unique_ptr<Disk>> disks;
    std::unique_ptr<DebugHooks> debugger;  // --gdb
};

} // namespace cocoon::vmm
