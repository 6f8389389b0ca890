// Does this KVM report what a debugger needs? A throwaway VM in real mode runs an int3
// and then an instruction under a debug-register breakpoint, and we look at how each
// exits. Real hardware reports both. Nested KVM under QEMU's software emulation (the
// project's with-kvm.sh runner, QEMU 7.2) reports neither: QEMU checks only the INTn
// intercept for int3, so the guest takes its own #BP (cocoon's kernel panics on it), and
// its VMRUN loads DR7 without arming the breakpoints (fixed in QEMU 9.1). The stub then
// refuses what would not work, rather than plant an int3 that kills the guest.
#pragma once

#include "vmm/gdb/target.h"
#include "vmm/kvm/kvm.h"

namespace cocoon::vmm::gdb {

// Costs one small VM and a few exits; throws only if KVM refuses to make the VM.
DebugSupport probe_debug_support(const Kvm& kvm);

} // namespace cocoon::vmm::gdb
