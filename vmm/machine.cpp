#include "vmm/machine.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "cocoon/exit_status.h"
#include "cocoon/platform.h"
#include "vmm/boot/elf_kernel.h"
#include "vmm/boot/pvh_boot.h"
#include "vmm/devices/console_input.h"
#include "vmm/exit_status.h"
#include "vmm/gdb/gdb_server.h"
#include "vmm/kvm/exit_reason.h"
#include "vmm/log/json_sink.h"
#include "vmm/platform/cpuid.h"
#include "vmm/sandbox/seccomp_filter.h"

namespace cocoon::vmm {
namespace {

// "0x3f8: 12, 0x3fd: 11": exits counted per port or MMIO address, and the same as JSON.
template <typename Counts>
std::string counts_by_address(const Counts& counts, nlohmann::json& json) {
    std::string text;
    json = nlohmann::json::object();
    for (auto [address, count] : counts) {
        text += fmt::format("{}{:#x}: {}", text.empty() ? "" : ", ", address, count);
        json[fmt::format("{:#x}", address)] = count;
    }
    return text;
}

sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

} // namespace

Disk::Disk(const DiskOption& option, uint32_t index, Vm& vm, const GuestMemory& memory, Bus& mmio,
           boost::asio::io_context& events)
    : image(option.path, option.read_only),
      blk(memory, image, fmt::format("cocoon-disk-{}", index)),
      slot(vm, mmio, events, blk, index) {}

Machine::Machine(const RunOptions& options, GuestImages images)
    : options_(options),
      vm_(kvm_),
      memory_(options.mem),
      vcpu_(vm_, 0, guest_cpuid(kvm_.supported_cpuid(), 0, 1),
            {pio_, mmio_, pit_, [this](int status, std::string reason) { stop(status, std::move(reason)); }}),
      uart_irq_(vm_, platform::uart_irq),
      uart_([this](uint8_t byte) { console_.put(byte); }, uart_irq_),
      exit_port_([this](uint32_t value) {
          if (value > guest_status::max_guest) {
              spdlog::error("guest wrote {} to the exit port; values above {} are not exit statuses", value,
                            guest_status::max_guest);
              stop(exit_status::guest_value_invalid, fmt::format("guest wrote invalid exit value {}", value));
          } else {
              stop(static_cast<int>(value), fmt::format("guest wrote {} to the exit port", value));
          }
      }),
      pit_irq_(vm_, platform::pit_irq),
      pit_(events_, pit_irq_),
      i8042_([this] { stop(0, "the guest reset the machine (i8042)"); }),
      event_log_(memory_, vcpu_.vcpu().tsc_khz(), options.maps_out),
      trace_(vm_, memory_, events_, vcpu_.vcpu().tsc_khz(), event_log_) {
    KernelImage kernel = parse_kernel(images.kernel, memory_.size());
    vm_.set_memory(memory_);
    load_kernel(kernel, memory_);
    std::optional<BootModule> module;
    if (!images.initrd.empty()) module = BootModule{images.initrd, "programs.tar"};
    std::string cmdline = options.cmdline;
    PlatformDescription description;  // what the ACPI tables say the machine has
    for (const DiskOption& d : options.disks) {
        auto index = static_cast<uint32_t>(disks_.size());
        disks_.push_back(std::make_unique<Disk>(d, index, vm_, memory_, mmio_, events_));
        const Disk& disk = *disks_.back();
        if (!cmdline.empty()) cmdline += ' ';
        cmdline += disk.slot.cmdline();
        description.virtio_mmio.push_back({disk.slot.base(), platform::virtio_mmio_size, disk.slot.irq()});
        spdlog::info("disk {}: {}{}, {} sectors, virtio-mmio at {:#x}, IRQ {}", index, d.path,
                     d.read_only ? " (read-only)" : "", disk.image.sectors(), disk.slot.base(), disk.slot.irq());
    }
    PvhPlacement boot = write_pvh_boot_info(memory_, kernel, cmdline, module, description);
    set_pvh_entry_state(vcpu_.vcpu(), kernel.entry, boot.start_info);

    pio_.add(platform::uart_port, platform::uart_port_count, uart_);
    pio_.add(platform::exit_port, platform::exit_port_count, exit_port_);
    pio_.add(platform::pit_port, platform::pit_port_count, pit_);
    pio_.add(platform::trace_port, platform::trace_port_count, trace_);
    pio_.add(platform::port61, 1, pit_.port61());
    pio_.add(platform::rtc_port, platform::rtc_port_count, rtc_);
    pio_.add(platform::i8042_data_port, 1, i8042_.data_port());
    pio_.add(platform::i8042_command_port, 1, i8042_.command_port());
    pio_.add(platform::post_port, 1, post_port_);
    event_log_.keep_timeline(options.trace_out, options.trace_svg);
    if (!seccomp_in_this_build) options_.seccomp = false;
    spdlog::debug("seccomp confinement {}", options_.seccomp ? "on" : "off");
    spdlog::info("booting {} KiB kernel at {:#x} (entry {:#x}) with {} MiB RAM{}", (kernel.end - kernel.lowest) >> 10,
                 kernel.lowest, kernel.entry, memory_.size() >> 20,
                 module ? fmt::format(", module of {} KiB at {:#x}", images.initrd.size() >> 10, boot.module_gpa)
                        : std::string());
    if (!options_.gdb.empty()) {
        debugger_ = std::make_unique<gdb::GdbServer>(events_, options_.gdb, vcpu_.vcpu(), memory_, kvm_, [this] {
            stop(exit_status::debugger_kill, "ended by the debugger (k)");
        });
        vcpu_.attach_debugger(*debugger_);
        trace_.hand_over_in_kicks();  // the log keeps up with a guest the debugger stops
    }
}

Machine::~Machine() = default;

void Machine::stop(int status, std::string reason) {
    {
        std::lock_guard lock(stop_mutex_);
        if (stopped_) return;  // the first reason to stop is the one reported
        stopped_ = true;
        status_ = status;
        reason_ = std::move(reason);
    }
    vcpu_.stop();
}

void hold_stop_signals() {
    sigset_t set = stop_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int Machine::run() {
    auto work = boost::asio::make_work_guard(events_);
    boost::asio::signal_set signals(events_, SIGINT, SIGTERM);
    signals.async_wait([this](auto error, int signal) {
        if (error) return;
        stop(signal == SIGINT ? exit_status::sigint : exit_status::sigterm,
             signal == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)");
    });
    sigset_t held = stop_signals();
    pthread_sigmask(SIG_UNBLOCK, &held, nullptr);  // one held since the start arrives now
    boost::asio::steady_timer timeout(events_);
    if (options_.timeout_s > 0) {
        timeout.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(std::max(options_.timeout_s - options_.timeout_spent_s, 1e-3))));
        timeout.async_wait([this](auto error) {
            if (!error) stop(exit_status::timeout, fmt::format("timed out after {} s", options_.timeout_s));
        });
    }
    ConsoleInput console_input(events_, STDIN_FILENO, uart_);

    auto started = std::chrono::steady_clock::now();
    std::thread event_thread([this] {
        try {
            if (options_.seccomp) confine_thread(ThreadRole::events);
            events_.run();
        } catch (const std::exception& e) {
            spdlog::error("event thread: {}", e.what());
            stop(exit_status::internal, e.what());
        }
    });
    vcpu_.start(options_.seccomp);
    vcpu_.join();
    console_.flush();

    work.reset();
    events_.stop();
    event_thread.join();
    if (debugger_) debugger_->finish(status_);
    trace_.drain();  // what the guest wrote after the last periodic drain
    event_log_.write_timeline();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    log_summary(seconds);
    return status_;
}

// KVM's own count of the vCPU's exits, most of which it handled itself: beside cocoon's
// count of those that reached user space, it shows which paths cost an exit at all.
void Machine::log_kvm_exits() const {
    auto counters = vcpu_.kvm_stats().read();
    if (counters.empty()) return;
    nlohmann::json fields = {{"summary", "kvm"}, {"vcpu", vcpu_.index()}, {"counters", counters}};
    std::string kinds;
    for (const auto& [name, value] : counters)
        if (value && name.ends_with("_exits")) kinds += fmt::format(", {} {}", name.substr(0, name.size() - 6), value);
    LogFields scope(fields);
    spdlog::info("KVM's own count of exits: {} in all{}", counters["exits"], kinds);
}

void Machine::log_summary(double seconds) {
    // The exit counts also go to the JSON log as fields of the "exits" line, for tools.
    ExitTally tally = vcpu_.exits().snapshot();
    nlohmann::json exits = {{"summary", "exits"}, {"by_reason", nlohmann::json::object()}};
    std::string by_reason;
    for (size_t i = 0; i < tally.by_reason.size(); ++i)
        if (uint64_t count = tally.by_reason[i]) {
            by_reason += fmt::format("{}{} {}", by_reason.empty() ? "" : ", ", exit_reason_name(i), count);
            exits["by_reason"][exit_reason_name(i)] = count;
        }
    std::string by_port = counts_by_address(tally.by_port, exits["by_port"]);
    std::string by_address = counts_by_address(tally.by_mmio_address, exits["by_mmio_address"]);
    exits["irqfd_interrupts"] = pit_.interrupts();
    exits["trace_doorbells"] = trace_.doorbells();
    if (event_log_.records()) event_log_.log_summary(trace_.lost());
    event_log_.write_maps();
    if (trace_.lost()) spdlog::error("trace: {} records lost", trace_.lost());
    spdlog::info("stopped after {:.3f} s: {} (exit status {})", seconds, reason_, status_);
    {
        LogFields scope(exits);
        spdlog::info("exits to user space: {}", by_reason.empty() ? "none" : by_reason);
    }
    log_kvm_exits();
    spdlog::info("timer interrupts injected by irqfd: {}; trace doorbells by ioeventfd: {}", pit_.interrupts(),
                 trace_.doorbells());
    if (!by_port.empty()) spdlog::info("port I/O exits by port: {}", by_port);
    if (!by_address.empty()) spdlog::info("MMIO exits by address: {}", by_address);
    for (size_t i = 0; i < disks_.size(); ++i) {
        const BlkStats& s = disks_[i]->blk.stats();
        spdlog::info("disk {}: {} reads ({} KiB), {} writes ({} KiB), {} flushes, {} errors, {} malformed; "
                     "{} notifications by ioeventfd",
                     i, s.reads, s.bytes_read >> 10, s.writes, s.bytes_written >> 10, s.flushes, s.errors,
                     s.malformed, disks_[i]->slot.notifications());
    }
    if (pio_.unclaimed_accesses() + mmio_.unclaimed_accesses())
        spdlog::info("unclaimed accesses: {} port, {} mmio", pio_.unclaimed_accesses(), mmio_.unclaimed_accesses());
}

} // namespace cocoon::vmm
