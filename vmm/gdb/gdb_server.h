// `cocoon run --gdb PORT|PATH`: the listening socket (127.0.0.1:PORT, or a unix socket
// when the value contains '/'), one debugger at a time, on the Asio event thread. It
// owns the stub and its vCPU target and carries bytes between the socket and the stub.
// The socket is made at construction, before any thread is confined by seccomp; the
// event thread then only accepts, reads, writes and closes. The machine reaches it as
// its DebugHooks only; each vCPU is a thread to gdb.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>

#include "vmm/gdb/gdb_stub.h"
#include "vmm/gdb/vcpu_target.h"
#include "vmm/vcpu/debug_hooks.h"

namespace cocoon::vmm::gdb {

class GdbServer : public DebugHooks {
public:
    // Throws SetupError when it cannot listen there.
    // vCPU i is vcpus[i].
    GdbServer(boost::asio::io_context& events, const std::string& where, std::vector<Vcpu*> vcpus,
              const GuestMemory& memory, const Kvm& kvm, VcpuTarget::EndRun end_run);
    ~GdbServer() override;

    // Each hook is the target's.
    void before_first_run(uint32_t vcpu) override { target_.park_at_start(vcpu); }
    void after_kick(uint32_t vcpu) override { target_.after_kick(vcpu); }
    void on_debug_exit(uint32_t vcpu, const kvm_debug_exit_arch& exit) override { target_.on_debug_exit(vcpu, exit); }
    void release(uint32_t vcpu) override { target_.release(vcpu); }
    // Tells a connected debugger how the run ended and closes the connection.
    void finish(int status) override;

private:
    using Protocol = boost::asio::generic::stream_protocol;
    void accept();
    void read();
    void write(std::string bytes);
    void start_write();
    void close_client(const std::string& why);

    boost::asio::io_context& events_;
    std::string where_;
    std::string unix_path_;  // removed at the end
    boost::asio::basic_socket_acceptor<Protocol> acceptor_;
    std::optional<Protocol::socket> client_;
    uint64_t generation_ = 0;  // handlers of a closed connection see a newer one and stop
    std::array<char, 4096> input_{};
    std::string pending_, in_flight_;
    bool writing_ = false;
    bool close_after_write_ = false;
    VcpuTarget target_;
    GdbStub stub_;
};

} // namespace cocoon::vmm::gdb
