#include "vmm/gdb/gdb_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "vmm/error.h"
#include "vmm/exit_status.h"

namespace cocoon::vmm::gdb {
namespace {

namespace asio = boost::asio;

// A debugger that sends and never reads is cut off rather than let its replies pile up.
constexpr size_t max_pending_output = 1 << 20;

} // namespace

GdbServer::GdbServer(asio::io_context& events, const std::string& where, std::vector<Vcpu*> vcpus,
                     const GuestMemory& memory, const Kvm& kvm, VcpuTarget::EndRun end_run)
    : events_(events),
      where_(where),
      acceptor_(events),
      target_(
          std::move(vcpus), memory, kvm,
          [this](const StopEvent& event) { asio::post(events_, [this, event] { stub_.on_stop(event); }); },
          std::move(end_run)),
      stub_(target_) {
    boost::system::error_code error;
    Protocol::endpoint endpoint;
    if (where.find('/') != std::string::npos) {
        // A socket left behind by an earlier run would make bind fail; anything else stays.
        struct stat st {};
        if (lstat(where.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(where.c_str());
        endpoint = asio::local::stream_protocol::endpoint(where);
        unix_path_ = where;
    } else {
        auto port = static_cast<uint16_t>(std::stoul(where));  // options checked it is 1..65535
        endpoint = asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port);
        where_ = fmt::format("127.0.0.1:{}", port);
    }
    acceptor_.open(endpoint.protocol(), error);
    if (!error && unix_path_.empty()) acceptor_.set_option(asio::socket_base::reuse_address(true), error);
    if (!error) acceptor_.bind(endpoint, error);
    if (!error) acceptor_.listen(1, error);
    if (error) throw SetupError(exit_status::usage, fmt::format("--gdb {}: cannot listen: {}", where, error.message()));
    spdlog::info("gdb: waiting for a debugger on {} (target remote {}); the guest is stopped at its first instruction",
                 where_, where_);
    accept();
}

GdbServer::~GdbServer() {
    if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
}

void GdbServer::accept() {
    acceptor_.async_accept([this](boost::system::error_code error, Protocol::socket socket) {
        if (error) {
            if (error != asio::error::operation_aborted)
                spdlog::error("gdb: accepting connections failed: {}; no more debuggers", error.message());
            return;
        }
        if (client_) {
            spdlog::warn("gdb: refused a second debugger connection: one is connected already");
            socket.close(error);
        } else {
            spdlog::info("gdb: debugger connected on {}", where_);
            socket.set_option(asio::ip::tcp::no_delay(true), error);  // fails harmlessly on a unix socket
            client_.emplace(std::move(socket));
            ++generation_;
            stub_.connect([this](std::string bytes) { write(std::move(bytes)); });
            read();
        }
        accept();
    });
}

void GdbServer::read() {
    client_->async_read_some(asio::buffer(input_), [this, generation = generation_](auto error, size_t n) {
        if (generation != generation_) return;
        if (error) {
            close_client(error == asio::error::eof ? "the debugger closed the connection" : error.message());
            return;
        }
        stub_.receive(std::string_view(input_.data(), n));
        if (pending_.size() > max_pending_output) {
            close_client("the debugger does not read its replies");
        } else if (stub_.hung_up()) {
            close_after_write_ = true;
            if (!writing_) close_client("the debugger detached");
        } else {
            read();
        }
    });
}

void GdbServer::write(std::string bytes) {
    if (!client_) return;
    pending_ += bytes;
    if (!writing_) start_write();
}

void GdbServer::start_write() {
    writing_ = true;
    in_flight_ = std::move(pending_);
    pending_.clear();
    asio::async_write(*client_, asio::buffer(in_flight_), [this, generation = generation_](auto error, size_t) {
        if (generation != generation_) return;
        writing_ = false;
        if (error) close_client(error.message());
        else if (!pending_.empty()) start_write();
        else if (close_after_write_) close_client("the debugger detached");
    });
}

void GdbServer::close_client(const std::string& why) {
    if (!client_) return;
    spdlog::info("gdb: connection closed: {}", why);
    boost::system::error_code ignored;
    client_->close(ignored);
    client_.reset();
    ++generation_;
    pending_.clear();
    writing_ = false;
    close_after_write_ = false;
    stub_.disconnect();
}

void GdbServer::finish(int status) {
    if (!client_) return;
    std::string last = stub_.exit_packet(status);
    boost::system::error_code ignored;
    if (!last.empty()) asio::write(*client_, asio::buffer(last), ignored);
    client_->close(ignored);
    client_.reset();
}

} // namespace cocoon::vmm::gdb
