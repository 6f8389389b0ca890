// What ends a run from outside the guest: SIGINT and SIGTERM, and --timeout.
#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "vmm/cli/options.h"
#include "vmm/stop_run.h"

namespace cocoon::vmm {

// SIGINT and SIGTERM held back from cocoon's start until a machine runs, which ends on
// them with its summary: one that comes while the guest's files are read is not lost.
void hold_stop_signals();

class ExternalStops {
public:
    // Armed on `events` for as long as it lives: a signal held since the start arrives
    // now, and the timeout runs for what is left of options.timeout_s.
    ExternalStops(boost::asio::io_context& events, const RunOptions& options, StopRun stop);

private:
    StopRun stop_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer timeout_;
};

} // namespace cocoon::vmm
