// One virtual machine, assembled: KVM objects, guest RAM with the kernel loaded by
// PVH, the devices on their buses, a vCPU thread running KVM_RUN and one Boost.Asio
// event thread for everything asynchronous (signals, the timeout, console input,
// device timers). run() returns the exit status.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include "vmm/bus/bus.h"
#include "vmm/cli/options.h"
#include "vmm/devices/cmos_rtc.h"
#include "vmm/devices/console_writer.h"
#include "vmm/devices/discard_port.h"
#include "vmm/devices/exit_port.h"
#include "vmm/devices/i8042.h"
#include "vmm/devices/pit_device.h"
#include "vmm/devices/uart.h"
#include "vmm/devices/virtio_blk.h"
#include "vmm/kvm/kvm.h"
#include "vmm/kvm/kvm_stats.h"
#include "vmm/kvm/vcpu.h"
#include "vmm/memory/guest_memory.h"
#include "vmm/storage/disk_image.h"
#include "vmm/trace/event_log.h"
#include "vmm/trace/trace_device.h"
#include "vmm/vcpu/debug_hooks.h"
#include "vmm/vcpu/vcpu_loop.h"
#include "vmm/virtio/mmio_slot.h"

namespace cocoon::vmm {

// The guest to boot: file contents, owned by the caller for the machine's lifetime.
struct GuestImages {
    std::span<const uint8_t> kernel;
    std::span<const uint8_t> initrd;  // empty: no module
};

// A --disk: the image, the virtio-blk device over it, and its virtio-mmio slot.
struct Disk {
    Disk(const DiskOption& option, uint32_t index, Vm& vm, const GuestMemory& memory, Bus& mmio,
         boost::asio::io_context& events);
    DiskImage image;
    VirtioBlk blk;
    VirtioMmioSlot slot;
};

// SIGINT and SIGTERM held back from cocoon's start until a Machine runs, which ends on
// them with its summary: one that comes while the guest's files are read is not lost.
void hold_stop_signals();

class Machine {
public:
    // Builds everything and loads the kernel. Throws SetupError.
    Machine(const RunOptions& options, GuestImages images);
    ~Machine();

    int run();

private:
    void stop(int status, std::string reason);
    void log_summary(double seconds);
    void log_kvm_exits() const;

    RunOptions options_;
    Kvm kvm_;
    Vm vm_;
    GuestMemory memory_;
    boost::asio::io_context events_;
    Bus pio_{"port"};
    Bus mmio_{"mmio"};
    VcpuLoop vcpu_;

    ConsoleWriter console_{events_, STDOUT_FILENO};
    IrqFd uart_irq_;
    Uart uart_;
    ExitPort exit_port_;
    IrqFd pit_irq_;
    PitDevice pit_;
    CmosRtc rtc_;
    I8042 i8042_;          // for its reset line: Linux's reboot=k
    DiscardPort post_port_;
    EventLog event_log_;
    TraceDevice trace_;
    std::vector<std::unique_ptr<Disk>> disks_;


    std::mutex stop_mutex_;
    bool stopped_ = false;
    int status_ = 0;
    std::string reason_;
    std::unique_ptr<DebugHooks> debugger_;  // --gdb: last, so it goes before what it uses
};

} // namespace cocoon::vmm
