// The summary at the end of a run, in the log and as fields of the JSON log: the trace's
// own summary and maps, why the run stopped, the exits to user space (cocoon's count and
// KVM's, added up over the vCPUs, then each vCPU's on a machine of more than one), the
// interrupts and doorbells that cost none, each disk, the console's input and its echo
// latency, the accesses nobody claimed.
#pragma once
#include <string>

#include "vmm/machine/hardware.h"

namespace cocoon::vmm {

// How the run ended: the first reason to stop.
struct RunEnd {
    int status = 0;
    std::string reason;
};

// Once every thread has stopped.
void log_summary(Hardware& hardware, const RunEnd& end, double seconds);

} // namespace cocoon::vmm
