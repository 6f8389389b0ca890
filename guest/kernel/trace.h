// Events for the VMM: records in a ring in guest memory that cocoon drains without a
// VM exit per record (include/cocoon/trace.h). Absent device (QEMU): nothing is kept.
#pragma once
#include <stdint.h>

#include "cocoon/trace.h"
#include "kernel/mm/address_space.h"

namespace kernel::trace {

void init();
bool enabled();
void emit(cocoon::trace::Record record);   // seq and tsc are filled in here
void flush();                              // wait until cocoon has drained everything

void switched(uint32_t from, uint32_t to, uint32_t reason);
void fault(uint32_t pid, uint64_t address, uint64_t rip, uint64_t cr3, uint32_t error_code, uint16_t vector,
           uint16_t outcome, uint32_t kill_reason);
// With the address space's root, peak page count and page-table pages.
void spawned(uint32_t pid, const char* name, const mm::AddressSpace& space, uint32_t parent);
void exited(uint32_t pid, const char* name, const mm::AddressSpace& space, int32_t status, uint32_t kill_reason);
void frames(uint64_t total, uint64_t free, uint64_t swap_total = 0, uint64_t swap_used = 0);
void paged(uint16_t kind, uint32_t pid, uint64_t vaddr, uint64_t slot, uint64_t frame, bool written);
void disk(uint32_t pid, uint16_t device, uint64_t sector, uint32_t bytes, uint8_t op, uint8_t status,
          uint64_t latency_tsc);

} // namespace kernel::trace
