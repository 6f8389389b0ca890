// The command line: `cocoon run [options]`, `cocoon --help`, `cocoon --version`.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cocoon::vmm {

struct DiskOption {
    std::string path;
    bool read_only = false;
};

struct RunOptions {
    std::string kernel;          // empty: the kernel built with cocoon
    std::string initrd;          // empty: the program archive built with cocoon (with the built kernel)
    std::vector<DiskOption> disks;
    uint64_t mem = 256ull << 20;
    uint32_t cpus = 1;           // vCPUs; the guest starts all but the first itself
    std::string cmdline;
    double timeout_s = 0;        // 0: none; counted from cocoon's start
    double timeout_spent_s = 0;  // of it, spent before the machine ran (reading the guest's files)
    std::string log_level = "info";
    std::string log_json;        // JSON-lines log file, empty: none
    std::string maps_out;        // folder for address-space maps at each exit, empty: none
    std::string trace_out;       // Chrome Trace Event / Perfetto JSON timeline, empty: none
    std::string trace_svg;       // the same timeline drawn as SVG, empty: none
    std::string gdb;             // --gdb: a TCP port on 127.0.0.1, or a unix socket path (has a '/'); empty: none
    bool seccomp = true;
};

inline constexpr uint64_t min_mem = 16ull << 20;
// RAM is one range from guest-physical 0 up to the device window at 0xd0000000.
inline constexpr uint64_t max_mem = 3ull << 30;
// A vCPU's APIC ID is its index, and the MADT's local APIC entries and CPUID leaf 1 hold
// 8 bits of it, 0xff being the broadcast address.
inline constexpr uint32_t max_cpus = 255;

// What main() should do.
struct Command {
    enum Kind { run, help, version } kind = help;
    RunOptions options;
    std::string help_text;
};

// Throws SetupError(usage) with a message for bad input.
Command parse_command_line(int argc, const char* const argv[]);

// "64M", "1G", "512K", "4096": bytes. nullopt for anything else or on overflow.
std::optional<uint64_t> parse_size(const std::string& text);

// "1" to "255"; throws SetupError(usage) for anything else.
uint32_t parse_cpus(const std::string& text);

// "FILE" or "FILE,ro".
DiskOption parse_disk(const std::string& text);

} // namespace cocoon::vmm
