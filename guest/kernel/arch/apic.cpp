#include "kernel/arch/apic.h"

#include "kernel/arch/x86.h"
#include "kernel/kmem.h"

namespace kernel::apic {
namespace {

constexpr uint32_t apic_base_msr = 0x1b;
constexpr uint64_t ioapic_base = 0xfec00000;  // where PCs and microvm put the first IOAPIC

volatile uint32_t& local_register(uint32_t offset) {
    auto* apic = static_cast<volatile uint32_t*>(phys_to_virt(x86::rdmsr(apic_base_msr) & 0xfffff000));
    return apic[offset / 4];
}

uint32_t ioapic_read(uint32_t reg) {
    auto* io = static_cast<volatile uint32_t*>(phys_to_virt(ioapic_base));
    io[0] = reg;
    return io[4];
}

void ioapic_write(uint32_t reg, uint32_t value) {
    auto* io = static_cast<volatile uint32_t*>(phys_to_virt(ioapic_base));
    io[0] = reg;
    io[4] = value;
}

} // namespace

void enable_virtual_wire() {
    x86::wrmsr(apic_base_msr, x86::rdmsr(apic_base_msr) | (1ull << 11));
    local_register(0xf0) = 0x100 | 0xff;  // spurious-interrupt vector register: enabled, vector 0xff
    local_register(0x80) = 0;             // task priority: accept everything
    local_register(0x320) = 1u << 16;     // LVT timer: masked
    local_register(0x350) = 7u << 8;      // LVT LINT0: ExtINT
    local_register(0x360) = 4u << 8;      // LVT LINT1: NMI
}

bool route_ioapic_pin(uint8_t pin) {
    uint32_t version = ioapic_read(1);
    if (version == 0xffffffff) return false;  // nothing there
    uint32_t pins = ((version >> 16) & 0xff) + 1;
    if (pin >= pins) return false;
    uint32_t apic_id = local_register(0x20) >> 24;
    ioapic_write(0x10 + 2 * pin + 1, apic_id << 24);
    ioapic_write(0x10 + 2 * pin, (1u << 15) | (ioapic_vector_base + pin));  // level, active high, fixed
    return true;
}

void end_of_interrupt() { local_register(0xb0) = 0; }

} // namespace kernel::apic
