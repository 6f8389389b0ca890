#include "vmm/vcpu/exit_dispatch.h"

#include <algorithm>
#include <span>

#include <fmt/format.h>

#include "vmm/exit_status.h"
#include "vmm/kvm/exit_reason.h"

namespace cocoon::vmm {
namespace {

void port_io(kvm_run& exit, Bus& pio) {
    // The data sits in the kvm_run page, `count` accesses of `size` bytes one after another.
    auto* data = reinterpret_cast<uint8_t*>(&exit) + exit.io.data_offset;
    for (uint32_t i = 0; i < exit.io.count; ++i, data += exit.io.size) {
        std::span<uint8_t> bytes(data, exit.io.size);
        if (exit.io.direction == KVM_EXIT_IO_OUT) pio.write(exit.io.port, bytes);
        else pio.read(exit.io.port, bytes);
    }
}

void mmio(kvm_run& exit, Bus& mmio) {
    std::span<uint8_t> bytes(exit.mmio.data, std::min<uint32_t>(exit.mmio.len, sizeof exit.mmio.data));
    if (exit.mmio.is_write) mmio.write(exit.mmio.phys_addr, bytes);
    else mmio.read(exit.mmio.phys_addr, bytes);
}

} // namespace

ExitOutcome dispatch_exit(kvm_run& exit, const ExitRoutes& routes) {
    using exit_outcome::Stop;
    switch (exit.exit_reason) {
    case KVM_EXIT_IO:
        port_io(exit, routes.pio);
        return exit_outcome::Resume{};
    case KVM_EXIT_MMIO:
        mmio(exit, routes.mmio);
        return exit_outcome::Resume{};
    case KVM_EXIT_INTR:
        return exit_outcome::Resume{};
    case KVM_EXIT_SHUTDOWN:
        return Stop{exit_status::triple_fault, "guest triple fault", "guest triple-faulted (KVM_EXIT_SHUTDOWN)"};
    case KVM_EXIT_INTERNAL_ERROR:
        return Stop{exit_status::kvm_internal_error, fmt::format("KVM internal error {}", exit.internal.suberror),
                    fmt::format("KVM internal error, suberror {}", exit.internal.suberror)};
    case KVM_EXIT_FAIL_ENTRY:
        return Stop{exit_status::fail_entry, "VM entry failed",
                    fmt::format("VM entry failed, hardware reason {:#x}",
                                exit.fail_entry.hardware_entry_failure_reason)};
    case KVM_EXIT_DEBUG:
        if (routes.debugger) return exit_outcome::Debug{exit.debug.arch};
        [[fallthrough]];  // guest debugging is only ever on with a debugger
    default:
        return Stop{exit_status::guest_stopped, fmt::format("unexpected KVM exit {}", exit.exit_reason),
                    fmt::format("guest stopped with KVM exit {} ({})", exit.exit_reason,
                                exit_reason_name(exit.exit_reason))};
    }
}

} // namespace cocoon::vmm
