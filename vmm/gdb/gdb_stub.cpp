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

// Our only thread is 1; gdb also names it -1 (all), 0 (any) or p1.1 and the like.
bool our_thread(std::string_view id) {
    if (id.starts_with("p")) {
        size_t dot = id.find('.');
        id = dot == std::string_view::npos ? std::string_view("1") : id.substr(dot + 1);
    }
    return id.empty() || id == "1" || id == "-1" || id == "0";
}

constexpr std::string_view monitor_help =
    "cocoon monitor commands:\n"
    "  phys ADDR LEN     guest-physical memory, LEN bytes (at most 4096)\n"
    "  translate ADDR    the physical address ADDR maps to under the current CR3\n";

} // namespace

void GdbStub::connect(Output output) {
    output_ = std::move(output);
    reader_ = PacketReader{};
    connected_ = true;
    attached_ = true;
    hung_up_ = false;
    waiting_ = false;
    detach_on_stop_ = false;
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
    case 's': {
        std::optional<uint64_t> address;
        if (!args.empty() && !(address = parse_hex(args))) return error_reply;
        resume(p[0] == 's', address);
        return std::nullopt;
    }
    case 'C':
    case 'S': {
        // "C sig[;addr]": a bare-metal guest has no signals to deliver; resume as c/s.
        size_t semi = args.find(';');
        std::optional<uint64_t> address;
        if (semi != std::string_view::npos && !(address = parse_hex(args.substr(semi + 1)))) return error_reply;
        resume(p[0] == 'S', address);
        return std::nullopt;
    }
    case 'H': return "OK";
    case 'T': return our_thread(args) ? "OK" : error_reply;
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
    if (p == "qC") return "QC1";
    if (p == "qfThreadInfo") return "m1";
    if (p == "qsThreadInfo") return "l";
    if (p.starts_with("qThreadExtraInfo,")) return to_hex(std::string_view("vCPU 0"));
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

void GdbStub::resume(bool step, std::optional<uint64_t> address) {
    if (address) {
        X86Registers regs = target_.registers();
        regs.rip = *address;
        target_.set_registers(regs);
    }
    target_.set_debug_registers(breakpoints_.debug_registers());
    stopped_ = false;
    waiting_ = true;
    target_.resume(step);
}

std::optional<std::string> GdbStub::vcont(std::string_view actions) {
    // The leftmost action that applies to our thread decides.
    while (!actions.empty()) {
        size_t semi = actions.find(';');
        std::string_view action = actions.substr(0, semi);
        actions = semi == std::string_view::npos ? std::string_view() : actions.substr(semi + 1);
        size_t colon = action.find(':');
        std::string_view thread = colon == std::string_view::npos ? std::string_view() : action.substr(colon + 1);
        if (!our_thread(thread) || action.empty()) continue;
        char verb = action[0];
        if (verb == 'c' || verb == 'C' || verb == 's' || verb == 'S') {
            resume(verb == 's' || verb == 'S', std::nullopt);
            return std::nullopt;
        }
        return error_reply;  // 't' and ranges: not in all-stop with one thread
    }
    return error_reply;
}

void GdbStub::on_stop(const StopEvent& event) {
    stopped_ = true;
    // Only the first stop waits for a debugger; one nobody is debugging any more runs on.
    if (detach_on_stop_ || (!attached_ && event.kind != StopEvent::Kind::initial)) {
        detach_on_stop_ = false;
        detach();
        return;
    }
    last_stop_ = stop_reply(event);
    if (connected_ && waiting_) {
        waiting_ = false;
        send(last_stop_);
    }
}

std::string GdbStub::stop_reply(const StopEvent& event) {
    switch (event.kind) {
    case StopEvent::Kind::initial: return "T05thread:1;";
    case StopEvent::Kind::interrupted: return "T02thread:1;";
    case StopEvent::Kind::breakpoint: {
        // KVM may leave rip after the int3 (a trap) or at it: gdb, told swbreak, wants it at.
        X86Registers regs = target_.registers();
        if (breakpoints_.software_at(regs.rip)) return "T05swbreak:;thread:1;";
        if (breakpoints_.software_at(regs.rip - 1)) {
            regs.rip -= 1;
            target_.set_registers(regs);
            return "T05swbreak:;thread:1;";
        }
        return "T05thread:1;";  // the guest's own int3
    }
    case StopEvent::Kind::debug:
        if (auto hit = breakpoints_.hit(event.dr6)) {
            switch (hit->kind) {
            case HwKind::execute: return hit->software ? "T05swbreak:;thread:1;" : "T05hwbreak:;thread:1;";
            case HwKind::write: return fmt::format("T05watch:{:x};thread:1;", hit->address);
            case HwKind::access: return fmt::format("T05awatch:{:x};thread:1;", hit->address);
            }
        }
        return "T05thread:1;";  // a single step
    }
    return "T05thread:1;";
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

std::string GdbStub::read_registers() { return all_registers_hex(target_.registers()); }

std::string GdbStub::write_registers(std::string_view hex) {
    X86Registers regs = target_.registers();
    if (!set_all_registers_hex(regs, hex)) return error_reply;
    target_.set_registers(regs);
    return "OK";
}

std::string GdbStub::read_register(std::string_view args) {
    auto number = parse_hex(args);
    if (!number || *number >= register_count()) return error_reply;
    return register_hex(target_.registers(), *number);
}

std::string GdbStub::write_register(std::string_view args) {
    size_t eq = args.find('=');
    if (eq == std::string_view::npos) return error_reply;
    auto number = parse_hex(args.substr(0, eq));
    if (!number || *number >= register_count() || !register_info(*number).writable) return error_reply;
    X86Registers regs = target_.registers();
    if (!set_register_hex(regs, *number, args.substr(eq + 1))) return error_reply;
    target_.set_registers(regs);
    return "OK";
}

std::string GdbStub::read_memory(std::string_view args) {
    auto request = parse_address_length(args, ';');
    if (!request || !request->rest.empty()) return error_reply;
    // A reply holds two hex digits per byte; a shorter read is a valid answer.
    uint64_t len = std::min<uint64_t>(request->len, (max_packet - 8) / 2);
    std::vector<uint8_t> bytes = breakpoints_.read(request->address, len);
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
    return breakpoints_.write(request->address, bytes) ? "OK" : fault_reply;
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
    auto result = type == '0' ? breakpoints_.insert_software(request->address)
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
        auto phys = address ? target_.translate(*address) : std::nullopt;
        if (!address) text = "usage: translate ADDR\n";
        else if (!phys) text = fmt::format("{:#x} is not mapped under cr3 {:#x}\n", *address, target_.registers().cr3);
        else text = fmt::format("{:#x} -> physical {:#x} (cr3 {:#x})\n", *address, *phys, target_.registers().cr3);
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
