#include "vmm/machine/builder.h"

#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "cocoon/exit_status.h"
#include "cocoon/platform.h"
#include "vmm/boot/elf_kernel.h"
#include "vmm/boot/pvh_boot.h"
#include "vmm/error.h"
#include "vmm/exit_status.h"
#include "vmm/gdb/gdb_server.h"
#include "vmm/platform/cpuid.h"
#include "vmm/platform/platform_description.h"
#include "vmm/trace/tsc_anchor.h"

namespace cocoon::vmm {
namespace {

void attach_legacy_devices(Hardware& hw, const StopRun& stop) {
    auto on_exit_value = [stop](uint32_t value) {
        if (value > guest_status::max_guest) {
            spdlog::error("guest wrote {} to the exit port; values above {} are not exit statuses", value,
                          guest_status::max_guest);
            stop(exit_status::guest_value_invalid, fmt::format("guest wrote invalid exit value {}", value));
        } else {
            stop(static_cast<int>(value), fmt::format("guest wrote {} to the exit port", value));
        }
    };
    auto on_reset = [stop] { stop(0, "the guest reset the machine (i8042)"); };
    hw.legacy = std::make_unique<LegacyDevices>(
        hw.vm, hw.events, [&console = hw.console](uint8_t byte) { console.put(byte); }, hw.echoes, on_exit_value,
        on_reset);
    LegacyDevices& d = *hw.legacy;
    hw.pio.add(platform::uart_port, platform::uart_port_count, d.uart);
    hw.pio.add(platform::exit_port, platform::exit_port_count, d.exit_port);
    hw.pio.add(platform::pit_port, platform::pit_port_count, d.pit);
    hw.pio.add(platform::port61, 1, d.pit.port61());
    hw.pio.add(platform::rtc_port, platform::rtc_port_count, d.rtc);
    hw.pio.add(platform::i8042_data_port, 1, d.i8042.data_port());
    hw.pio.add(platform::i8042_command_port, 1, d.i8042.command_port());
    hw.pio.add(platform::post_port, 1, d.post_port);
}

// vCPU i has APIC ID i. Only the first is given an entry state (write_boot): under the
// in-kernel local APIC the others wait for the guest's INIT and SIPI, which set their own.
void create_vcpus(Hardware& hw, uint32_t count, const StopRun& stop) {
    if (uint32_t most = hw.kvm.max_vcpus(); count > most)
        throw SetupError(exit_status::usage, fmt::format("--cpus {}: this KVM runs at most {} vCPUs", count, most));
    std::vector<kvm_cpuid_entry2> supported = hw.kvm.supported_cpuid();
    for (uint32_t index = 0; index < count; ++index)
        hw.vcpus.push_back(std::make_unique<VcpuLoop>(hw.vm, index, guest_cpuid(supported, index, count),
                                                      VcpuLoop::Wiring{hw.pio, hw.mmio, hw.legacy->pit, stop}));
}

// The trace, and the console's echoes on its time line, which is the first vCPU's TSC.
void attach_tracing(Hardware& hw, const RunOptions& options) {
    const Vcpu& first = hw.vcpus.front()->vcpu();
    hw.tracing = std::make_unique<Tracing>(hw.vm, hw.memory, hw.events, first.tsc_khz(), options.maps_out);
    hw.pio.add(platform::trace_port, platform::trace_port_count, hw.tracing->device);
    EventLog& log = hw.tracing->log;
    log.keep_timeline(options.trace_out, options.trace_svg);
    log.anchor_host_clock(anchor_tsc(first));
    hw.echoes.report_to([&log](const Echo& echo) { log.record_echo(echo); });
}

// Each --disk in a virtio-mmio slot, and where the guest finds it: on the kernel command
// line (cocoon's kernel) and in the ACPI tables (Linux).
void attach_disks(Hardware& hw, const std::vector<DiskOption>& disks, std::string& cmdline,
                  PlatformDescription& description) {
    for (const DiskOption& d : disks) {
        auto index = static_cast<uint32_t>(hw.disks.size());
        hw.disks.push_back(std::make_unique<Disk>(d, index, hw.vm, hw.memory, hw.mmio, hw.events));
        const Disk& disk = *hw.disks.back();
        if (!cmdline.empty()) cmdline += ' ';
        cmdline += disk.slot.cmdline();
        description.virtio_mmio.push_back({disk.slot.base(), platform::virtio_mmio_size, disk.slot.irq()});
        spdlog::info("disk {}: {}{}, {} sectors, virtio-mmio at {:#x}, IRQ {}", index, d.path,
                     d.read_only ? " (read-only)" : "", disk.image.sectors(), disk.slot.base(), disk.slot.irq());
    }
}

// PVH: the start info, memory map, command line, module and ACPI tables in RAM, and
// the first vCPU at the kernel's 32-bit entry.
void write_boot(Hardware& hw, const KernelImage& kernel, std::span<const uint8_t> initrd, const std::string& cmdline,
                const PlatformDescription& description) {
    std::optional<BootModule> module;
    if (!initrd.empty()) module = BootModule{initrd, "programs.tar"};
    PvhPlacement boot = write_pvh_boot_info(hw.memory, kernel, cmdline, module, description);
    set_pvh_entry_state(hw.vcpus.front()->vcpu(), kernel.entry, boot.start_info);
    size_t cpus = hw.vcpus.size();
    spdlog::info("booting {} KiB kernel at {:#x} (entry {:#x}) with {} MiB RAM{}{}", (kernel.end - kernel.lowest) >> 10,
                 kernel.lowest, kernel.entry, hw.memory.size() >> 20,
                 cpus > 1 ? fmt::format(" and {} vCPUs", cpus) : std::string(),
                 module ? fmt::format(", module of {} KiB at {:#x}", initrd.size() >> 10, boot.module_gpa)
                        : std::string());
}

void attach_debugger(Hardware& hw, const std::string& where, const StopRun& stop) {
    if (where.empty()) return;
    auto on_kill = [stop] { stop(exit_status::debugger_kill, "ended by the debugger (k)"); };
    std::vector<Vcpu*> vcpus;
    for (auto& loop : hw.vcpus) vcpus.push_back(&loop->vcpu());
    hw.debugger = std::make_unique<gdb::GdbServer>(hw.events, where, std::move(vcpus), hw.memory, hw.kvm, on_kill);
    for (auto& vcpu : hw.vcpus) vcpu->attach_debugger(*hw.debugger);
    hw.tracing->device.hand_over_in_kicks();  // the log keeps up with a guest the debugger stops
}

} // namespace

std::unique_ptr<Hardware> build_hardware(const RunOptions& options, GuestImages images, const StopRun& stop) {
    KernelImage kernel = parse_kernel(images.kernel, options.mem);
    auto hw = std::make_unique<Hardware>(options.mem);
    load_kernel(kernel, hw->memory);
    attach_legacy_devices(*hw, stop);
    create_vcpus(*hw, options.cpus, stop);
    attach_tracing(*hw, options);
    std::string cmdline = options.cmdline;
    PlatformDescription description;  // what the ACPI tables say the machine has
    description.vcpus = options.cpus;
    attach_disks(*hw, options.disks, cmdline, description);
    write_boot(*hw, kernel, images.initrd, cmdline, description);
    attach_debugger(*hw, options.gdb, stop);
    return hw;
}

} // namespace cocoon::vmm
