#include "vmm/machine/summary.h"

#include <spdlog/spdlog.h>

#include "vmm/kvm/exit_reason.h"
#include "vmm/log/json_sink.h"

namespace cocoon::vmm {
namespace {

using KvmCounters = std::map<std::string, uint64_t>;

// "io 3975, mmio 29": exits counted by KVM exit reason, and the same as JSON.
std::string counts_by_reason(const ExitTally& tally, nlohmann::json& json) {
    std::string text;
    json = nlohmann::json::object();
    for (size_t i = 0; i < tally.by_reason.size(); ++i)
        if (uint64_t count = tally.by_reason[i]) {
            text += fmt::format("{}{} {}", text.empty() ? "" : ", ", exit_reason_name(i), count);
            json[exit_reason_name(i)] = count;
        }
    return text.empty() ? "none" : text;
}

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

// KVM's own count of exits, most of which it handled itself: beside cocoon's count of
// those that reached user space, it shows which paths cost an exit at all.
void log_kvm_exits(const std::string& prefix, nlohmann::json fields, KvmCounters counters) {
    std::string kinds;
    for (const auto& [name, value] : counters)
        if (value && name.ends_with("_exits")) kinds += fmt::format(", {} {}", name.substr(0, name.size() - 6), value);
    fields["summary"] = "kvm";
    fields["counters"] = counters;
    LogFields scope(fields);
    spdlog::info("{}KVM's own count of exits: {} in all{}", prefix, counters["exits"], kinds);
}

// A vCPU's own share, on a machine of more than one: its lines carry its index.
void log_vcpu(const VcpuLoop& vcpu, const KvmCounters& kvm_counters) {
    std::string prefix = fmt::format("vCPU {}: ", vcpu.index());
    nlohmann::json exits = {{"summary", "exits"}, {"vcpu", vcpu.index()}, {"started", vcpu.started()}};
    std::string by_reason = counts_by_reason(vcpu.exits().snapshot(), exits["by_reason"]);
    {
        LogFields scope(exits);
        spdlog::info("{}exits to user space: {}{}", prefix, by_reason,
                     vcpu.started() ? "" : " (never started: the guest sent it no INIT and SIPI)");
    }
    if (!kvm_counters.empty()) log_kvm_exits(prefix, {{"vcpu", vcpu.index()}}, kvm_counters);
}

// The console's input: how many bytes went to the guest and how soon it echoed them.
void log_console_echoes(const EchoFigures& f) {
    if (!f.handed) return;
    const LatencyFigures& echoed = f.echoed;
    auto ms = [](std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); };
    std::string latency = "none echoed";
    if (echoed.count)
        latency = fmt::format("echo latency of {}: median {:.3f} ms, 99th percentile {:.3f} ms, worst {:.3f} ms{}",
                              echoed.count, ms(echoed.median), ms(echoed.p99), ms(echoed.worst),
                              echoed.kept < echoed.count ? fmt::format(" (percentiles of the first {})", echoed.kept)
                                                         : "");
    nlohmann::json fields = {{"summary", "console"},        {"handed", f.handed},
                             {"echoed", echoed.count},      {"not_echoed", f.not_echoed},
                             {"unread", f.unread},          {"median_ns", echoed.median.count()},
                             {"p99_ns", echoed.p99.count()}, {"worst_ns", echoed.worst.count()}};
    LogFields scope(fields);
    spdlog::info("console input: {} bytes, {}; {} not echoed{}", f.handed, latency, f.not_echoed,
                 f.unread ? fmt::format(" ({} never read)", f.unread) : "");
}

} // namespace

void log_summary(Hardware& hw, const RunEnd& end, double seconds) {
    ExitTally tally;
    KvmCounters kvm_total;
    std::vector<KvmCounters> kvm_by_vcpu;
    for (const auto& vcpu : hw.vcpus) {
        tally += vcpu->exits().snapshot();
        kvm_by_vcpu.push_back(vcpu->kvm_stats().read());
        for (const auto& [name, value] : kvm_by_vcpu.back()) kvm_total[name] += value;
    }
    PitDevice& pit = hw.legacy->pit;
    TraceDevice& trace = hw.tracing->device;
    EventLog& event_log = hw.tracing->log;
    // The exit counts also go to the JSON log as fields of the "exits" line, for tools.
    nlohmann::json exits = {{"summary", "exits"}};
    std::string by_reason = counts_by_reason(tally, exits["by_reason"]);
    std::string by_port = counts_by_address(tally.by_port, exits["by_port"]);
    std::string by_address = counts_by_address(tally.by_mmio_address, exits["by_mmio_address"]);
    exits["irqfd_interrupts"] = pit.interrupts();
    exits["trace_doorbells"] = trace.doorbells();
    if (event_log.records()) event_log.log_summary(trace.lost());
    event_log.write_maps();
    if (trace.lost()) spdlog::error("trace: {} records lost", trace.lost());
    spdlog::info("stopped after {:.3f} s: {} (exit status {})", seconds, end.reason, end.status);
    {
        LogFields scope(exits);
        spdlog::info("exits to user space: {}", by_reason);
    }
    if (!kvm_total.empty()) log_kvm_exits("", nlohmann::json::object(), kvm_total);
    if (hw.vcpus.size() > 1)
        for (size_t i = 0; i < hw.vcpus.size(); ++i) log_vcpu(*hw.vcpus[i], kvm_by_vcpu[i]);
    spdlog::info("timer interrupts injected by irqfd: {}; trace doorbells by ioeventfd: {}", pit.interrupts(),
                 trace.doorbells());
    if (!by_port.empty()) spdlog::info("port I/O exits by port: {}", by_port);
    if (!by_address.empty()) spdlog::info("MMIO exits by address: {}", by_address);
    for (size_t i = 0; i < hw.disks.size(); ++i) {
        const BlkStats& s = hw.disks[i]->blk.stats();
        spdlog::info("disk {}: {} reads ({} KiB), {} writes ({} KiB), {} flushes, {} errors, {} malformed; "
                     "{} notifications by ioeventfd",
                     i, s.reads, s.bytes_read >> 10, s.writes, s.bytes_written >> 10, s.flushes, s.errors,
                     s.malformed, hw.disks[i]->slot.notifications());
    }
    log_console_echoes(hw.echoes.figures());
    if (hw.pio.unclaimed_accesses() + hw.mmio.unclaimed_accesses())
        spdlog::info("unclaimed accesses: {} port, {} mmio", hw.pio.unclaimed_accesses(), hw.mmio.unclaimed_accesses());
}

} // namespace cocoon::vmm
