#include "vmm/cli/options.h"

#include <sstream>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "vmm/error.h"
#include "vmm/exit_status.h"

namespace po = boost::program_options;

namespace cocoon::vmm {
namespace {

[[noreturn]] void usage_error(const std::string& message) {
    throw SetupError(exit_status::usage, message + " (see cocoon --help)");
}

// What parse_command_line reads as text first, to check it itself.
struct RawOptions {
    std::string mem;
    std::string cpus;
    std::vector<std::string> disks;
};

po::options_description run_options(RunOptions& o, RawOptions& raw) {
    po::options_description d("cocoon run options");
    d.add_options()
        ("kernel", po::value(&o.kernel)->value_name("ELF"),
         "PVH kernel ELF to boot (default: the kernel built with cocoon)")
        ("initrd", po::value(&o.initrd)->value_name("FILE"),
         "module handed to the kernel, e.g. a ustar program archive (default with the built kernel: its programs)")
        ("disk", po::value(&raw.disks)->value_name("FILE[,ro]"),
         "a virtio-blk disk image; repeat for more; ',ro' makes it read-only")
        ("mem", po::value(&raw.mem)->value_name("SIZE")->default_value("256M"),
         "guest RAM: bytes or with K, M, G (16M to 3G)")
        ("cpus", po::value(&raw.cpus)->value_name("N")->default_value("1"),
         "virtual CPUs (1 to 255); the guest starts every one but the first itself (INIT and SIPI)")
        ("cmdline", po::value(&o.cmdline)->value_name("STR"), "kernel command line, e.g. 'init=hello quantum_ms=10'")
        ("timeout", po::value(&o.timeout_s)->value_name("S"),
         "stop the guest after S seconds (exit status 124)")
        ("log-level", po::value(&o.log_level)->value_name("L")->default_value("info"),
         "trace, debug, info, warn, error or off")
        ("log-json", po::value(&o.log_json)->value_name("FILE"), "also write every log event as JSON lines to FILE")
        ("maps-out", po::value(&o.maps_out)->value_name("DIR"),
         "at each process's exit, write its address-space map (text and SVG) from its page tables into DIR")
        ("trace-out", po::value(&o.trace_out)->value_name("FILE"),
         "write the run as a timeline (Chrome Trace Event JSON; open it in ui.perfetto.dev) to FILE")
        ("trace-svg", po::value(&o.trace_svg)->value_name("FILE"), "draw the same timeline as an SVG picture in FILE")
        ("gdb", po::value(&o.gdb)->value_name("PORT|PATH"),
         "start the guest stopped and serve the GDB remote protocol on 127.0.0.1:PORT, or on the unix socket "
         "PATH (a value with a '/'); see docs/gdb.md")
        ("no-seccomp", "do not confine cocoon's threads with seccomp filters (for debugging)");
    return d;
}

std::string help_text(const po::options_description& run) {
    std::ostringstream out;
    out << "cocoon " COCOON_VERSION " - a hypervisor on Linux KVM with its own small kernel\n\n"
        << "usage: cocoon run [options]\n       cocoon --help | --version\n\n"
        << "With no options, `cocoon run` boots the built kernel and runs its demo programs.\n\n"
        << run << "\nexit status: the guest's value (0-63) written to port 0xf4, or cocoon's own:\n"
        << "  64 usage  65 bad kernel/initrd/disk  66 file not found  69 KVM unavailable\n"
        << "  70 internal error  71 guest exit value above 63  80 triple fault\n"
        << "  81 KVM internal error  82 VM entry failed  83 guest stopped otherwise\n"
        << "  124 --timeout  130 SIGINT  137 ended by the debugger (--gdb)  143 SIGTERM\n";
    return out.str();
}

} // namespace

std::optional<uint64_t> parse_size(const std::string& text) {
    if (text.empty() || !isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
    size_t used = 0;
    unsigned long long value = 0;
    try {
        value = std::stoull(text, &used);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    std::string unit = text.substr(used);
    int shift = 0;
    if (unit == "K" || unit == "k" || unit == "KiB") shift = 10;
    else if (unit == "M" || unit == "m" || unit == "MiB") shift = 20;
    else if (unit == "G" || unit == "g" || unit == "GiB") shift = 30;
    else if (!unit.empty()) return std::nullopt;
    if (value > (UINT64_MAX >> shift)) return std::nullopt;
    return uint64_t{value} << shift;
}

uint32_t parse_cpus(const std::string& text) {
    bool digits = !text.empty() && text.size() <= 3 && text.find_first_not_of("0123456789") == std::string::npos;
    unsigned long cpus = digits ? std::stoul(text) : 0;
    if (cpus < 1 || cpus > max_cpus)
        usage_error(fmt::format("--cpus '{}' is not a number of CPUs from 1 to {}", text, max_cpus));
    return static_cast<uint32_t>(cpus);
}

DiskOption parse_disk(const std::string& text) {
    DiskOption disk{text, false};
    if (text.ends_with(",ro")) disk = {text.substr(0, text.size() - 3), true};
    if (disk.path.empty()) usage_error("--disk needs a file name");
    return disk;
}

Command parse_command_line(int argc, const char* const argv[]) {
    Command command;
    RawOptions raw;
    po::options_description run = run_options(command.options, raw);
    command.help_text = help_text(run);
    if (argc < 2) return command;

    std::string first = argv[1];
    if (first == "--help" || first == "-h" || first == "help") return command;
    if (first == "--version" || first == "-V") {
        command.kind = Command::version;
        return command;
    }
    if (first != "run") usage_error(fmt::format("unknown command '{}'", first));

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc - 1, argv + 1).options(run).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        usage_error(e.what());
    }
    RunOptions& o = command.options;
    auto bytes = parse_size(raw.mem);
    if (!bytes) usage_error(fmt::format("--mem '{}' is not a size like 64M or 1G", raw.mem));
    if (*bytes < min_mem || *bytes > max_mem)
        usage_error(fmt::format("--mem {} is outside 16M..3G", raw.mem));
    o.mem = *bytes & ~uint64_t{0xfff};
    o.cpus = parse_cpus(raw.cpus);
    for (const std::string& d : raw.disks) o.disks.push_back(parse_disk(d));
    if (o.timeout_s < 0) usage_error("--timeout must not be negative");
    if (vm.count("no-seccomp")) o.seccomp = false;
    if (vm.count("gdb") && o.gdb.find('/') == std::string::npos) {
        bool digits = !o.gdb.empty() && o.gdb.size() <= 5 && o.gdb.find_first_not_of("0123456789") == std::string::npos;
        auto port = digits ? std::stoul(o.gdb) : 0ul;
        if (port < 1 || port > 65535)
            usage_error(fmt::format("--gdb '{}' is neither a port (1-65535) nor a socket path with a '/'", o.gdb));
    }
    static const char* levels[] = {"trace", "debug", "info", "warn", "error", "off"};
    if (std::find(std::begin(levels), std::end(levels), o.log_level) == std::end(levels))
        usage_error(fmt::format("--log-level '{}' is not one of trace, debug, info, warn, error, off", o.log_level));
    command.kind = Command::run;
    return command;
}

} // namespace cocoon::vmm
