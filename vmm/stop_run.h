// How any part of cocoon ends the run: with an exit status (exit_status.h) and a reason
// for the summary. The machine's answer is its stop(): the first call decides the
// status, and every vCPU leaves the guest.
#pragma once
#include <functional>
#include <string>

namespace cocoon::vmm {

using StopRun = std::function<void(int status, std::string reason)>;

} // namespace cocoon::vmm
