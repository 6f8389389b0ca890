// A vCPU's registers as KVM keeps them, and as gdb sees them (X86Registers): the one
// place that maps the two, each way.
#pragma once
#include <linux/kvm.h>

#include "vmm/gdb/x86_registers.h"

namespace cocoon::vmm::gdb {

struct KvmRegisters {
    kvm_regs regs{};
    kvm_sregs sregs{};
    kvm_fpu fpu{};
};

X86Registers gdb_registers(const KvmRegisters& kvm);

// Which of KVM's register sets a change from gdb touched, so that only those go back.
struct ChangedSets {
    bool regs = false;
    bool sregs = false;
    ChangedSets& operator|=(ChangedSets other) {
        regs |= other.regs, sregs |= other.sregs;
        return *this;
    }
};

// What gdb may change (x86_registers.h says which) from `gdb` into `kvm`.
ChangedSets apply_gdb_registers(const X86Registers& gdb, KvmRegisters& kvm);

} // namespace cocoon::vmm::gdb
