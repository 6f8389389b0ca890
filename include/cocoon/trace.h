// The trace ring: how the kernel tells cocoon about every switch, fault and disk or
// swap event without a VM exit per event.
//
// The kernel allocates a ring in its own RAM (a RingHeader followed by `capacity`
// Records, capacity a power of two) and announces it through the trace device's
// registers. It writes record `seq` into slot `seq % capacity`, then publishes it by
// storing head = seq + 1 (release). cocoon drains [tail, head) on its event thread and
// stores tail. The kernel never overwrites an undrained record: when head - tail ==
// capacity it writes `trace_reg_kick`, a synchronous exit in which cocoon drains the
// ring; past `doorbell_mark` records it writes `trace_reg_doorbell`, an ioeventfd that
// wakes cocoon without stopping the vCPU. Every record carries its sequence number, so
// a lost record is a visible gap.
#pragma once
#include <stdint.h>

namespace cocoon::trace {

inline constexpr uint32_t ring_magic = 0x43435452;  // "RTCC"
inline constexpr uint16_t version = 2;
inline constexpr uint32_t device_magic = 0x434f434f; // "OCOC", read from trace_reg_magic

// Trace device registers: 32-bit port I/O at platform::trace_port + offset.
enum Register : uint16_t {
    trace_reg_magic = 0x00,     // read: device_magic
    trace_reg_ring_lo = 0x04,   // write: ring guest-physical address, low half
    trace_reg_ring_hi = 0x08,   // write: high half; the write of ring_hi arms the ring
    trace_reg_doorbell = 0x0c,  // write: "please drain soon" (ioeventfd, no exit)
    trace_reg_kick = 0x10,      // write: "drain now, I am waiting" (synchronous)
    trace_reg_tsc_khz = 0x14,   // read: guest TSC frequency in kHz (0 if unknown)
};

struct RingHeader {
    uint32_t magic;          // ring_magic
    uint16_t version;        // version
    uint16_t record_size;    // sizeof(Record)
    uint32_t capacity;       // records; a power of two
    uint32_t doorbell_mark;  // ring the doorbell when this many are pending
    uint64_t head;           // written by the kernel: next sequence number to write
    uint64_t tail;           // written by cocoon: next sequence number to read
    uint64_t reserved[4];
};
static_assert(sizeof(RingHeader) == 64);

enum Kind : uint16_t {
    kind_boot = 1,        // kernel up: frames.total/free
    kind_spawn = 2,       // process created: proc
    kind_exit = 3,        // process ended: proc (status; killed != 0 if by the kernel)
    kind_switch = 4,      // sw
    kind_fault = 5,       // fault
    kind_frames = 6,      // counters: frames
    kind_disk = 7,        // disk request completed: disk
    kind_page_out = 8,    // swap
    kind_page_in = 9,     // swap
};

enum SwitchReason : uint32_t {
    switch_quantum = 1,   // quantum expired
    switch_yield = 2,     // the process called yield
    switch_block = 3,     // the process slept or waited
    switch_exit = 4,      // the process ended
    switch_first = 5,     // first dispatch after boot or idle
    switch_preempted = 6, // a process woken by a device or the clock took the CPU (sched=waker)
};

enum FaultOutcome : uint32_t {
    outcome_demand_zero = 1,  // a heap page mapped on first touch
    outcome_stack_growth = 2, // a stack page mapped on first touch
    outcome_swap_in = 3,      // brought back from swap
    outcome_killed = 4,       // the process was killed
    outcome_panic = 5,        // a fault in kernel mode
};

// Why a process was killed: FaultOutcome outcome_killed carries one of these.
enum KillReason : uint32_t {
    kill_none = 0,
    kill_null_deref = 1,
    kill_write_code = 2,      // write to a read-only page
    kill_exec_nx = 3,         // instruction fetch from a no-execute page
    kill_kernel_access = 4,   // user access to a supervisor page or kernel address
    kill_stack_guard = 5,     // ran past the stack limit into the guard gap
    kill_unmapped = 6,        // any other access to nothing mapped
    kill_general_protection = 7, // privileged instruction, non-canonical address
    kill_divide_error = 8,
    kill_invalid_opcode = 9,
    kill_out_of_memory = 10,
    kill_other_exception = 11,
    kill_by_parent = 12,      // its parent called kill
    kill_x87_error = 13,      // an unmasked x87 exception (#MF)
    kill_interrupted = 14,    // Ctrl-C on the console while it was the foreground job
};

// Why a process was killed, in words; the kernel prints it and cocoon logs it.
inline const char* kill_reason_text(uint32_t reason) {
    switch (reason) {
    case kill_null_deref: return "NULL pointer dereference";
    case kill_write_code: return "write to read-only page";
    case kill_exec_nx: return "execute from no-execute page";
    case kill_kernel_access: return "access to kernel memory";
    case kill_stack_guard: return "stack overflow into the guard gap";
    case kill_unmapped: return "access to unmapped memory";
    case kill_general_protection: return "general protection fault";
    case kill_divide_error: return "divide error";
    case kill_invalid_opcode: return "invalid opcode";
    case kill_out_of_memory: return "out of memory";
    case kill_by_parent: return "ended by its parent";
    case kill_x87_error: return "x87 floating-point error";
    case kill_interrupted: return "interrupted (Ctrl-C)";
    default: return "unexpected exception";
    }
}

// The same reasons as one word each, for the kernel's command line: `init=nullderef!null`
// starts a program that is there to be killed with that reason (the demo's protection
// programs). 0 for a word that names none.
inline const char* kill_reason_word(uint32_t reason) {
    switch (reason) {
    case kill_null_deref: return "null";
    case kill_write_code: return "readonly";
    case kill_exec_nx: return "nx";
    case kill_kernel_access: return "kernel";
    case kill_stack_guard: return "guard";
    case kill_unmapped: return "unmapped";
    case kill_general_protection: return "gp";
    case kill_divide_error: return "divide";
    case kill_invalid_opcode: return "opcode";
    case kill_out_of_memory: return "oom";
    case kill_other_exception: return "exception";
    case kill_by_parent: return "parent";
    case kill_x87_error: return "x87";
    case kill_interrupted: return "interrupt";
    default: return "";
    }
}

struct SwitchEvent {
    uint32_t from;            // pid, 0 = idle
    uint32_t to;              // pid, 0 = idle
    uint32_t reason;          // SwitchReason
    uint32_t pad;
};

struct FaultEvent {
    uint64_t address;         // CR2 for page faults, 0 otherwise
    uint64_t rip;
    uint64_t cr3;             // the faulting address space's root
    uint32_t error_code;      // x86 page-fault error code bits (P W U R I ...)
    uint16_t vector;          // exception vector (14 for #PF)
    uint16_t outcome;         // FaultOutcome
    uint32_t kill_reason;     // KillReason when outcome == outcome_killed
    uint32_t pad;
};

struct ProcessEvent {
    char name[16];            // NUL-padded program name (cut to 15 characters)
    uint64_t cr3;             // the process's address-space root
    int32_t status;           // exit status (kind_exit)
    union {                   // one word, named for each kind that uses it:
        uint32_t parent;      // kind_spawn: the parent's pid (0: the kernel)
        uint32_t kill_reason; // kind_exit: KillReason, 0 for a process that exited
    };
    uint32_t peak_pages;      // most user pages it ever had mapped (resident or swapped)
    uint32_t table_pages;     // page-table pages of its user half, the root included
};

struct FramesEvent {
    uint64_t total;
    uint64_t free;
    uint64_t swap_total;      // swap slots
    uint64_t swap_used;
};

struct DiskEvent {
    uint64_t sector;
    uint32_t bytes;
    uint8_t op;               // virtio-blk request type
    uint8_t status;           // virtio-blk status
    uint16_t device;
    uint64_t latency_tsc;
};

struct SwapEvent {
    uint64_t vaddr;
    uint64_t slot;
    uint64_t frame;
    uint32_t dirty;           // page-out: 1 if written, 0 if a clean copy was kept
    uint32_t pad;
};

struct Record {
    uint64_t seq;
    uint64_t tsc;
    uint16_t kind;            // Kind
    uint16_t cpu;
    uint32_t pid;             // the process the event is about (0 = kernel)
    union {
        SwitchEvent sw;
        FaultEvent fault;
        ProcessEvent proc;
        FramesEvent frames;
        DiskEvent disk;
        SwapEvent swap;
        uint8_t raw[40];
    };
};
static_assert(sizeof(Record) == 64);
static_assert(sizeof(ProcessEvent) == 40);

} // namespace cocoon::trace
