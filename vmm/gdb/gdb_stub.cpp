#include "vmm/gdb/gdb_stub.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace cocoon::vmm::gdb {
namespace {

constexpr uint64_t max_monitor_read = 4096;
constexpr unsigned malformed_logged = 8;

// Replies: "E" + errno-like number, as gdbserver answers.
const std::string error_reply = "E01";
const std::string fault_reply = "E0e";  // EFAULT: memory not there
const std::string no_space_reply = "E1c";  // ENOSPC: no debug register left
// Refused, not "unknown": to an empty reply to Z0 gdb would write the int3 itself.
const std::string unsupported_reply = "E5f";  // EOPNOTSUPP: this KVM would not report the hit

// "ADDR,LEN" (hex), optionally followed by `tail` (':' for M/X, ';' for conditions).
struct AddressLength {
    uint64_t address;
    uint64_t len;
    std::string_view rest;  // after the separator, if any
};

std::optional<AddressLength> parse_address_length(std::string_view args, char tail) {
    size_t comma = args.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    std::string_view len_text = args.substr(comma + 1), rest;
    size_t end = len_text.find(tail);
    if (end != std::string_view::npos) {
        rest = len_text.substr(end + 1);
        len_text = len_text.substr(0, end);
    } else if (tail == ':') {
        return std::nullopt;  // M and X need their data
    }
    auto address = parse_hex(args.substr(0, comma));
    auto len = parse_hex(len_text);
    if (!address || !len) return std::nullopt;
    return AddressLength{*address, *len, rest};
}

// A number in a monitor command: 0x… hex or decimal.
std::optional<uint64_t> parse_number(const std::string& text) {
    if (text.empty() || text[0] == '-') return std::nullopt;
    char* end = nullptr;
    errno = 0;
    unsigned long long value = std::strtoull(text.c_str(), &end, 0);
    if (errno || *end) return std::nullopt;
    return value;
}

std::vector<std::string> words(std::string_view text) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') ++i;
        size_t start = i;
        while (i < text.size() && text[i] != ' ') ++i;
        if (i > start) out.emplace_back(text.substr(start, i - start));
    }
    return out;
}

// A thread in a packet: gdb's thread N (hex) is vCPU N - 1; -1 names every thread and 0
// any one; "pP.T" (the multiprocess form) is thread T, and "pP" all of process P's.
struct ThreadId {
    enum class Kind { all, any, one } kind;
    uint32_t vcpu = 0;
};

std::optional<ThreadId> parse_thread(std::string_view id, uint32_t vcpus) {
    if (id.starts_with("p")) {
        size_t dot = id.find('.');
        if (dot == std::string_view::npos) return ThreadId{ThreadId::Kind::all};
        id = id.substr(dot + 1);
    }
    if (id == "-1") return ThreadId{ThreadId::Kind::all};
    auto number = parse_hex(id);
    if (!number || *number > vcpus) return std::nullopt;  // malformed, or no such thread
    if (*number == 0) return ThreadId{ThreadId::Kind::any};
    return ThreadId{ThreadId::Kind::one, static_cast<uint32_t>(*number - 1)};
}

std::string thread_hex(uint32_t vcpu) { return fmt::format("{:x}", vcpu + 1); }

constexpr std::string_view monitor_help =
    "cocoon monitor commands:\n"
    "  phys ADDR LEN     guest-physical memory, LEN bytes (at most 4096)\n"
    "  translate ADDR    the physical address ADDR maps to under the current thread's CR3\n";

} // namespace

void GdbStub::connect(Output output) {
    output_ = std::move(output);
    reader_ = PacketReader{};
    connected_ = true;
    attached_ = true;
    hung_up_ = false;
    waiting_ = false;
    detach_on_stop_ = false;
    continue_.reset();
    last_sent_.clear();
    malformed_ = 0;
    if (!stopped_) target_.interrupt();  // gdb's '?' is answered once it has stopped
}

void GdbStub::disconnect() {
    connected_ = false;
    output_ = nullptr;
    waiting_ = false;
    if (hung_up_ || !attached_) return;
    spdlog::info("gdb: the debugger went away; detaching, the guest runs on");
    if (stopped_) {
        detach();
    } else {
        detach_on_stop_ = true;  // our breakpoints are removed once it has stopped
        target_.interrupt();
    }
}

void GdbStub::send(std::string_view payload) {
    last_sent_ = frame(payload);
    if (output_) output_(last_sent_);
}

void GdbStub::receive(std::string_view bytes) {
    for (Input& input : reader_.feed(bytes)) {
        if (hung_up_) return;
        switch (input.kind) {
        case Input::Kind::packet:
            if (output_) output_("+");
            handle(input.text);
            break;
        case Input::Kind::malformed:
            if (malformed_++ < malformed_logged)
                spdlog::warn("gdb: malformed packet from the debugger: {}", input.text);
            if (output_) output_("-");
            break;
        case Input::Kind::interrupt:
            if (!stopped_) {
                waiting_ = true;
                target_.interrupt();
            }
            break;
        case Input::Kind::nack:
            if (output_ && !last_sent_.empty()) output_(last_sent_);
            break;
        case Input::Kind::ack:
            break;
        }
    }
}

void GdbStub::handle(const std::string& packet) {
    if (auto reply = command(packet)) send(*reply);
}

std::optional<std::string> GdbStub::command(std::string_view p) {
    if (p.empty()) return "";
    std::string_view args = p.substr(1);
    // What needs a stopped target; anything else is fine while it runs.
    bool needs_stop = std::string_view("gGpPmMXZzcCsSD").find(p[0]) != std::string_view::npos ||
                      p.starts_with("vCont;") || p.starts_with("qRcmd,");
    if (needs_stop && !stopped_) return error_reply;
    switch (p[0]) {
    case '?':
        if (!stopped_) {
            waiting_ = true;
            return std::nullopt;
        }
        return last_stop_;
    case 'g': return read_registers();
    case 'G': return write_registers(args);
    case 'p': return read_register(args);
    case 'P': return write_register(args);
    case 'm': return read_memory(args);
    case 'M': return write_memory(args, false);
    case 'X': return write_memory(args, true);
    case 'Z': return breakpoint(args, true);
    case 'z': return breakpoint(args, false);
    case 'c':
    case 's': return resume_legacy(p[0] == 's', args);
    case 'C':
    case 'S': {
        // "C sig[;addr]": a bare-metal guest has no signals to deliver; resume as c/s.
        size_t semi = args.find(';');
        return resume_legacy(p[0] == 'S', semi == std::string_view::npos ? "" : args.substr(semi + 1));
    }
    case 'H': return select_thread(args);
    case 'T': {
        auto thread = parse_thread(args, target_.vcpu_count());
        return thread && thread->kind == ThreadId::Kind::one ? "OK" : error_reply;
    }
    case 'D':
        spdlog::info("gdb: the debugger detached; the guest runs on");
        send("OK");
        detach();
        hung_up_ = true;
        return std::nullopt;
    case 'k':
        spdlog::info("gdb: the debugger ended the run (k)");
        hung_up_ = true;
        target_.kill();
        return std::nullopt;
    default: break;
    }
    if (p.starts_with("qSupported"))
        return fmt::format("PacketSize={:x};qXfer:features:read+;swbreak+;hwbreak+", max_packet);
    if (p.starts_with("qXfer:features:read:")) return features(p.substr(20));
    if (p == "qAttached" || p.starts_with("qAttached:")) return "1";
    if (p == "qC") return "QC" + thread_hex(general_);
    if (p == "qfThreadInfo") return thread_list();
    if (p == "qsThreadInfo") return "l";  // qfThreadInfo listed them all
    if (p.starts_with("qThreadExtraInfo,")) return thread_extra_info(p.substr(17));
    if (p.starts_with("qRcmd,")) return monitor(p.substr(6));
    if (p == "vCont?") return "vCont;c;C;s;S";
    if (p.starts_with("vCont;")) return vcont(p.substr(6));
    if (p.starts_with("vKill")) {
        send("OK");
        hung_up_ = true;
        target_.kill();
        return std::nullopt;
    }
    return "";  // unknown: the empty reply says so
}

void GdbStub::resume(std::vector<Action> actions) {
    target_.set_debug_registers(breakpoints_.debug_registers());
    stopped_ = false;
    waiting_ = true;
    target_.resume(actions);
}

// c and s, with the address to go on from: every thread runs, or the one Hc selected
// (else the current one) takes a step while the others stay.
std::optional<std::string> GdbStub::resume_legacy(bool step, std::string_view address_text) {
    std::optional<uint64_t> address;
    if (!address_text.empty() && !(address = parse_hex(address_text))) return error_reply;
    uint32_t vcpu = continue_.value_or(general_);
    if (address) {
        X86Registers regs = target_.registers(vcpu);
        regs.rip = *address;
        target_.set_registers(vcpu, regs);
    }
    std::vector<Action> actions(target_.vcpu_count(), step ? Action::stay : Action::run);
    if (step) actions[vcpu] = Action::step;
    resume(std::move(actions));
    return std::nullopt;
}

std::optional<std::string> GdbStub::vcont(std::string_view list) {
    // Each thread takes the leftmost action that names it; one no action names stays.
    std::vector<std::optional<Action>> chosen(target_.vcpu_count());
    while (!list.empty()) {
        size_t semi = list.find(';');
        std::string_view action = list.substr(0, semi);
        list = semi == std::string_view::npos ? std::string_view() : list.substr(semi + 1);
        if (action.empty()) return error_reply;
        char verb = action[0];
        // 't' (stop) and 'r' (step a range) are not for all-stop mode.
        if (verb != 'c' && verb != 'C' && verb != 's' && verb != 'S') return error_reply;
        Action what = verb == 's' || verb == 'S' ? Action::step : Action::run;
        size_t colon = action.find(':');
        std::optional<ThreadId> thread = ThreadId{ThreadId::Kind::all};
        if (colon != std::string_view::npos) thread = parse_thread(action.substr(colon + 1), target_.vcpu_count());
        if (!thread) return error_reply;
        for (uint32_t vcpu = 0; vcpu < chosen.size(); ++vcpu)
            if (!chosen[vcpu] && (thread->kind != ThreadId::Kind::one || thread->vcpu == vcpu)) chosen[vcpu] = what;
    }
    std::vector<Action> actions;
    for (const auto& action : chosen) actions.push_back(action.value_or(Action::stay));
    if (std::all_of(actions.begin(), actions.end(), [](Action a) { return a == Action::stay; })) return error_reply;
    resume(std::move(actions));
    return std::nullopt;
}

std::string GdbStub::select_thread(std::string_view args) {
    if (args.empty()) return error_reply;
    auto thread = parse_thread(args.substr(1), target_.vcpu_count());
    if (!thread) return error_reply;
    bool one = thread->kind == ThreadId::Kind::one;
    switch (args[0]) {
    case 'g':  // registers and memory; "any" or "all" keeps the current one
        if (one) general_ = thread->vcpu;
        return "OK";
    case 'c':  // the thread c and s act on
        continue_ = one ? std::optional(thread->vcpu) : std::nullopt;
        return "OK";
    default: return error_reply;
    }
}

std::string GdbStub::thread_list() const {
    std::string list = "m";
    // Appended piece by piece: GCC 12's -Wrestrict misjudges `"," + std::string` at -O2.
    for (uint32_t vcpu = 0; vcpu < target_.vcpu_count(); ++vcpu) {
        if (vcpu) list += ',';
        list += thread_hex(vcpu);
    }
    return list;
}

// What `info threads` shows beside each thread: its vCPU, and whether the guest has
// started it yet.
std::string GdbStub::thread_extra_info(std::string_view args) {
    auto thread = parse_thread(args, target_.vcpu_count());
    if (!thread || thread->kind != ThreadId::Kind::one) return error_reply;
    bool waiting = stopped_ && target_.awaits_startup(thread->vcpu);
    return to_hex(fmt::format("vCPU {}{}", thread->vcpu, waiting ? ", waiting for INIT and SIPI" : ""));
}

void GdbStub::on_stop(const StopEvent& event) {
    stopped_ = true;
    // Only the first stop waits for a debugger; one nobody is debugging any more runs on.
    if (detach_on_stop_ || (!attached_ && event.kind != StopEvent::Kind::initial)) {
        detach_on_stop_ = false;
        detach();
        return;
    }
    general_ = event.vcpu;  // gdb's current thread is now the one the stop is about
    last_stop_ = stop_reply(event);
    if (connected_ && waiting_) {
        waiting_ = false;
        send(last_stop_);
    }
}

std::string GdbStub::stop_reply(const StopEvent& event) {
    std::string thread = "thread:" + thread_hex(event.vcpu) + ";";
    switch (event.kind) {
    case StopEvent::Kind::initial: return "T05" + thread;
    case StopEvent::Kind::interrupted: return "T02" + thread;
    case StopEvent::Kind::breakpoint: {
        // KVM may leave rip after the int3 (a trap) or at it: gdb, told swbreak, wants it at.
        X86Registers regs = target_.registers(event.vcpu);
        if (breakpoints_.software_at(regs.rip)) return "T05swbreak:;" + thread;
        if (breakpoints_.software_at(regs.rip - 1)) {
            regs.rip -= 1;
            target_.set_registers(event.vcpu, regs);
            return "T05swbreak:;" + thread;
        }
        return "T05" + thread;  // the guest's own int3
    }
    case StopEvent::Kind::debug:
        if (auto hit = breakpoints_.hit(event.dr6)) {
            switch (hit->kind) {
            case HwKind::execute: return (hit->software ? "T05swbreak:;" : "T05hwbreak:;") + thread;
            case HwKind::write: return fmt::format("T05watch:{:x};{}", hit->address, thread);
            case HwKind::access: return fmt::format("T05awatch:{:x};{}", hit->address, thread);
            }
        }
        return "T05" + thread;  // a single step
    }
    return "T05" + thread;
}

void GdbStub::detach() {
    breakpoints_.remove_all();
    attached_ = false;
    target_.set_debug_registers({});
    if (stopped_) {
        stopped_ = false;
        target_.detach();
    }
}

std::string GdbStub::exit_packet(int status) const {
    if (!connected_ || hung_up_) return "";
    return frame(fmt::format("W{:02x}", status & 0xff));
}

std::string GdbStub::read_registers() { return all_registers_hex(target_.registers(general_)); }

std::string GdbStub::write_registers(std::string_view hex) {
    X86Registers regs = target_.registers(general_);
    if (!set_all_registers_hex(regs, hex)) return error_reply;
    target_.set_registers(general_, regs);
    return "OK";
}

std::string GdbStub::read_register(std::string_view args) {
    auto number = parse_hex(args);
    if (!number || *number >= register_count()) return error_reply;
    return register_hex(target_.registers(general_), *number);
}

std::string GdbStub::write_register(std::string_view args) {
    size_t eq = args.find('=');
    if (eq == std::string_view::npos) return error_reply;
    auto number = parse_hex(args.substr(0, eq));
    if (!number || *number >= register_count() || !register_info(*number).writable) return error_reply;
    X86Registers regs = target_.registers(general_);
    if (!set_register_hex(regs, *number, args.substr(eq + 1))) return error_reply;
    target_.set_registers(general_, regs);
    return "OK";
}

std::string GdbStub::read_memory(std::string_view args) {
    auto request = parse_address_length(args, ';');
    if (!request || !request->rest.empty()) return error_reply;
    // A reply holds two hex digits per byte; a shorter read is a valid answer.
    uint64_t len = std::min<uint64_t>(request->len, (max_packet - 8) / 2);
    std::vector<uint8_t> bytes = breakpoints_.read(general_, request->address, len);
    if (bytes.empty() && len) return fault_reply;
    return to_hex(bytes);
}

std::string GdbStub::write_memory(std::string_view args, bool binary) {
    auto request = parse_address_length(args, ':');
    if (!request) return error_reply;
    std::vector<uint8_t> bytes;
    if (binary) {
        bytes.assign(request->rest.begin(), request->rest.end());  // the packet layer undid the escapes
    } else {
        auto decoded = from_hex(request->rest);
        if (!decoded) return error_reply;
        bytes = std::move(*decoded);
    }
    if (bytes.size() != request->len) return error_reply;
    return breakpoints_.write(general_, request->address, bytes) ? "OK" : fault_reply;
}

std::string GdbStub::breakpoint(std::string_view args, bool insert) {
    if (args.size() < 2 || args[1] != ',') return error_reply;
    char type = args[0];
    auto request = parse_address_length(args.substr(2), ';');  // conditions after ';' are gdb's business
    if (!request) return error_reply;
    // Z3: x86 has no read-only watchpoints; the empty reply lets gdb use Z4 instead.
    if (type != '0' && type != '1' && type != '2' && type != '4') return "";
    HwKind kind = type == '2' ? HwKind::write : type == '4' ? HwKind::access : HwKind::execute;
    if (!insert) {
        if (type == '0') breakpoints_.remove_software(request->address);
        else breakpoints_.remove_hardware(kind, request->address, request->len);
        return "OK";
    }
    auto result = type == '0' ? breakpoints_.insert_software(general_, request->address)
                              : breakpoints_.insert_hardware(kind, request->address, request->len);
    switch (result) {
    case Breakpoints::Result::ok: return "OK";
    case Breakpoints::Result::no_room: return no_space_reply;
    case Breakpoints::Result::unsupported: return unsupported_reply;
    }
    return error_reply;
}

std::string GdbStub::monitor(std::string_view hex) {
    auto decoded = from_hex(hex);
    if (!decoded) return error_reply;
    std::vector<std::string> w = words(std::string(decoded->begin(), decoded->end()));
    std::string text;
    if (w.size() == 3 && w[0] == "phys") {
        auto address = parse_number(w[1]);
        auto len = parse_number(w[2]);
        if (!address || !len || *len > max_monitor_read) {
            text = "usage: phys ADDR LEN, LEN at most 4096\n";
        } else {
            std::vector<uint8_t> bytes(*len);
            if (!target_.read_physical(*address, bytes)) {
                text = fmt::format("{:#x}+{:#x} is not in guest RAM\n", *address, *len);
            } else {
                for (uint64_t i = 0; i < bytes.size(); i += 16) {
                    text += fmt::format("{:#018x}:", *address + i);
                    for (uint64_t j = i; j < std::min<uint64_t>(i + 16, bytes.size()); ++j)
                        text += fmt::format(" {:02x}", bytes[j]);
                    text += '\n';
                }
            }
        }
    } else if (w.size() == 2 && w[0] == "translate") {
        auto address = parse_number(w[1]);
        auto phys = address ? target_.translate(general_, *address) : std::nullopt;
        uint64_t cr3 = target_.registers(general_).cr3;
        if (!address) text = "usage: translate ADDR\n";
        else if (!phys) text = fmt::format("{:#x} is not mapped under cr3 {:#x}\n", *address, cr3);
        else text = fmt::format("{:#x} -> physical {:#x} (cr3 {:#x})\n", *address, *phys, cr3);
    } else {
        DebugSupport support = target_.debug_support();
        const char* int3 = support.software_breakpoints ? "yes"
                           : support.hardware_breakpoints ? "no (breakpoints take debug registers)"
                                                          : "no";
        text = fmt::format("{}this KVM reports the guest's int3: {}; debug-register hits: {}\n", monitor_help, int3,
                           support.hardware_breakpoints ? "yes" : "no (breakpoints and watchpoints are refused)");
    }
    // Console output goes in 'O' packets, each within the packet size, then OK.
    constexpr size_t per_packet = (max_packet - 8) / 2;
    for (size_t at = 0; at < text.size(); at += per_packet)
        send(fmt::format("O{}", to_hex(std::string_view(text).substr(at, per_packet))));
    return "OK";
}

std::string GdbStub::features(std::string_view args) {
    // "target.xml:OFFSET,LENGTH"
    size_t colon = args.find(':');
    if (colon == std::string_view::npos || args.substr(0, colon) != "target.xml") return "E00";
    auto request = parse_address_length(args.substr(colon + 1), ';');
    if (!request) return error_reply;
    const std::string& xml = target_xml();
    if (request->address >= xml.size()) return "l";
    uint64_t len = std::min<uint64_t>({request->len, xml.size() - request->address, max_packet / 2});
    bool last = request->address + len >= xml.size();
    return fmt::format("{}{}", last ? 'l' : 'm', std::string_view(xml).substr(request->address, len));
}

} // namespace cocoon::vmm::gdb
