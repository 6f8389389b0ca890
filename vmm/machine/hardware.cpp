#include "vmm/machine/hardware.h"

#include <fmt/format.h>

#include "cocoon/platform.h"

namespace cocoon::vmm {

LegacyDevices::LegacyDevices(Vm& vm, boost::asio::io_context& events, Uart::Output console,
                             UartWatcher& console_watcher, std::function<void(uint32_t)> on_exit_value,
                             std::function<void()> on_reset)
    : uart_irq(vm, platform::uart_irq),
      uart(std::move(console), uart_irq, &console_watcher),
      exit_port(std::move(on_exit_value)),
      pit_irq(vm, platform::pit_irq),
      pit(events, pit_irq),
      i8042(std::move(on_reset)) {}

Tracing::Tracing(Vm& vm, const GuestMemory& memory, boost::asio::io_context& events, uint32_t tsc_khz,
                 const std::string& maps_out)
    : log(memory, tsc_khz, maps_out), device(vm, memory, events, tsc_khz, log) {}

Disk::Disk(const DiskOption& option, uint32_t index, Vm& vm, const GuestMemory& memory, Bus& mmio,
           boost::asio::io_context& events)
    : image(option.path, option.read_only),
      blk(memory, image, fmt::format("cocoon-disk-{}", index)),
      slot(vm, mmio, events, blk, index) {}

Hardware::Hardware(uint64_t ram_size) : vm(kvm), memory(ram_size) { vm.set_memory(memory); }

} // namespace cocoon::vmm
