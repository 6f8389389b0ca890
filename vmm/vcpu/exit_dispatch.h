// What one exit to user space means, decided in one place: an access goes to its bus and
// the guest resumes; an exit that ends the guest becomes a stop with its exit status; a
// debug exit goes to the debugger. A function of the exit (kvm_run as KVM filled it) and
// the buses only, so unit tests drive it with made-up exits and no KVM. It never throws
// on the guest's account.
#pragma once
#include <linux/kvm.h>

#include <string>
#include <variant>

#include "vmm/bus/bus.h"

namespace cocoon::vmm {

namespace exit_outcome {

struct Resume {};  // the exit is handled: back into the guest

struct Stop {  // the guest cannot go on
    int status;          // vmm/exit_status.h
    std::string reason;  // for the summary's "stopped after" line
    std::string error;   // what happened, for an error line the vCPU's registers follow
};

struct Debug {  // KVM_EXIT_DEBUG, for the debugger
    kvm_debug_exit_arch arch;
};

} // namespace exit_outcome

using ExitOutcome = std::variant<exit_outcome::Resume, exit_outcome::Stop, exit_outcome::Debug>;

// Where an exit's accesses go.
struct ExitRoutes {
    Bus& pio;
    Bus& mmio;
    bool debugger = false;  // --gdb: guest debugging may be on, and its exits are the debugger's
};

// Port I/O (string I/O too, `count` accesses in a row) and MMIO reach their bus before
// it returns; an access no device claims is the bus's to log.
ExitOutcome dispatch_exit(kvm_run& exit, const ExitRoutes& routes);

} // namespace cocoon::vmm
