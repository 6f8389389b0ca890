// The GDB remote protocol's commands, in all-stop mode, over a Target whose vCPUs are
// gdb's threads: vCPU i is thread i + 1. Registers and memory are those of the thread
// gdb selected with Hg (or of the last stop's); a resume says what each thread does
// (vCont), or runs them all (c), or steps the one Hc selected (s). No sockets, no
// threads: the server feeds it bytes and target stops, and it answers through an output
// callback; everything runs on one thread (cocoon's event thread).
//
// Breakpoints and the memory gdb reads live in Breakpoints (breakpoints.h); Z1, Z2 and
// Z4 use the debug registers; Z3 is refused, as on any x86 (gdb then builds `rwatch`
// from Z4 itself).
//
// A client that goes away mid-session is detached as `D` would: breakpoints out, the
// guest runs on.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vmm/gdb/breakpoints.h"
#include "vmm/gdb/packet.h"
#include "vmm/gdb/target.h"

namespace cocoon::vmm::gdb {

class GdbStub {
public:
    using Output = std::function<void(std::string bytes)>;

    explicit GdbStub(Target& target) : target_(target), breakpoints_(target) {}

    // A client arrived (a running target is stopped for it), or went away.
    void connect(Output output);
    void disconnect();
    // Bytes from the client.
    void receive(std::string_view bytes);
    // After 'D' or 'k': the server closes the connection once the reply is out.
    bool hung_up() const { return hung_up_; }

    // The target stopped.
    void on_stop(const StopEvent& event);
    // What a connected client is told when the run ended: "$W..#.." (or nothing).
    std::string exit_packet(int status) const;

    bool stopped() const { return stopped_; }

private:
    void send(std::string_view payload);
    void handle(const std::string& packet);
    std::optional<std::string> command(std::string_view packet);  // nullopt: reply later (or never)
    std::string stop_reply(const StopEvent& event);
    void resume(std::vector<Action> actions);
    std::optional<std::string> resume_legacy(bool step, std::string_view address);  // c, s, C, S
    std::optional<std::string> vcont(std::string_view actions);
    std::string select_thread(std::string_view args);  // H
    std::string thread_list() const;
    std::string thread_extra_info(std::string_view args);
    void detach();

    std::string read_registers();
    std::string write_registers(std::string_view hex);
    std::string read_register(std::string_view args);
    std::string write_register(std::string_view args);
    std::string read_memory(std::string_view args);
    std::string write_memory(std::string_view args, bool binary);
    std::string breakpoint(std::string_view args, bool insert);
    std::string monitor(std::string_view hex);
    std::string features(std::string_view args);

    Target& target_;
    Output output_;
    PacketReader reader_;
    bool connected_ = false;
    bool attached_ = false;       // a client is debugging: breakpoints may be in
    bool stopped_ = false;        // the target is stopped: registers and memory are ours
    bool waiting_ = false;        // the client waits for a stop reply
    bool detach_on_stop_ = false; // detached while running: finish at the stop
    bool hung_up_ = false;
    uint32_t general_ = 0;                  // Hg's vCPU, or the last stop's
    std::optional<uint32_t> continue_;      // Hc's vCPU; none: all of them
    std::string last_stop_ = "S05";
    std::string last_sent_;
    unsigned malformed_ = 0;
    Breakpoints breakpoints_;
};

} // namespace cocoon::vmm::gdb
