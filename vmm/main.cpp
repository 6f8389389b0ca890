// cocoon: parse the command line, read the guest's files, build the machine, run it.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <vector>

#include <spdlog/spdlog.h>

#include "vmm/boot/elf_kernel.h"
#include "vmm/cli/options.h"
#include "vmm/error.h"
#include "vmm/exit_status.h"
#include "vmm/log/logging.h"
#include "vmm/machine/external_stops.h"
#include "vmm/machine/machine.h"

using namespace cocoon::vmm;

#ifdef COCOON_EMBEDDED_GUEST
// The kernel and program archive built with cocoon, linked in by vmm/embedded_guest.S.
extern "C" const uint8_t cocoon_embedded_kernel[], cocoon_embedded_kernel_end[];
extern "C" const uint8_t cocoon_embedded_programs[], cocoon_embedded_programs_end[];
#endif

namespace {

// A whole file, read in large pieces: Debian's vmlinux is 65 MB, and byte by byte
// (istreambuf_iterator, in a debug build, under the nested runner) it took two minutes.
// Nothing larger than guest RAM can be loaded, so nothing larger is read.
std::vector<uint8_t> read_file(const std::string& path, const char* what, uint64_t limit) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw SetupError(exit_status::no_input, fmt::format("{} '{}': {}", what, path, std::strerror(errno)));
    std::vector<uint8_t> bytes;
    constexpr size_t piece = 1 << 20;
    while (in) {
        if (bytes.size() > limit)
            throw SetupError(exit_status::bad_input,
                             fmt::format("{} '{}' is larger than guest RAM ({} MiB)", what, path, limit >> 20));
        size_t had = bytes.size();
        bytes.resize(had + piece);
        in.read(reinterpret_cast<char*>(bytes.data() + had), piece);
        bytes.resize(had + static_cast<size_t>(in.gcount()));
    }
    if (in.bad()) throw SetupError(exit_status::no_input, fmt::format("{} '{}': read error", what, path));
    return bytes;
}

// --timeout counts from cocoon's start, reading the guest's files included.
RunOptions with_time_spent(RunOptions options, std::chrono::steady_clock::time_point started) {
    if (options.timeout_s <= 0) return options;
    options.timeout_spent_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return options;
}

int run(const RunOptions& options) {
    auto started = std::chrono::steady_clock::now();
    hold_stop_signals();
    setup_logging(options.log_level, options.log_json);
    std::vector<uint8_t> kernel_file, initrd_file;
    GuestImages images;
    if (!options.kernel.empty()) {
        kernel_file = read_file(options.kernel, "kernel", options.mem);
        images.kernel = kernel_file;
    } else {
#ifdef COCOON_EMBEDDED_GUEST
        images.kernel = {cocoon_embedded_kernel, cocoon_embedded_kernel_end};
        if (options.initrd.empty()) images.initrd = {cocoon_embedded_programs, cocoon_embedded_programs_end};
#else
        throw SetupError(exit_status::usage, "this cocoon was built without a kernel: give --kernel ELF");
#endif
    }
    if (!options.initrd.empty()) {
        initrd_file = read_file(options.initrd, "initrd", options.mem);
        images.initrd = initrd_file;
    }
    // Refuse a malformed kernel before touching KVM at all.
    parse_kernel(images.kernel, options.mem);
    Machine machine(with_time_spent(options, started), images);
    return machine.run();
}

} // namespace

int main(int argc, char* argv[]) {
    try {
        Command command = parse_command_line(argc, argv);
        switch (command.kind) {
        case Command::help: std::cout << command.help_text; return 0;
        case Command::version: std::cout << "cocoon " COCOON_VERSION "\n"; return 0;
        case Command::run: return run(command.options);
        }
    } catch (const SetupError& e) {
        std::fprintf(stderr, "cocoon: %s\n", e.what());
        return e.status();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cocoon: %s\n", e.what());
        return exit_status::internal;
    }
    return exit_status::internal;
}
