// cocoon: parse the command line, read the guest's files, build the machine, run it.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

#include <spdlog/spdlog.h>

#include "vmm/boot/elf_kernel.h"
#include "vmm/cli/options.h"
#include "vmm/error.h"
#include "vmm/exit_status.h"
#include "vmm/log/logging.h"
#include "vmm/machine.h"

using namespace cocoon::vmm;

#ifdef COCOON_EMBEDDED_GUEST
// The kernel and program archive built with cocoon, linked in by vmm/embedded_guest.S.
extern "C" const uint8_t cocoon_embedded_kernel[], cocoon_embedded_kernel_end[];
extern "C" const uint8_t cocoon_embedded_programs[], cocoon_embedded_programs_end[];
#endif

namespace {

std::vector<uint8_t> read_file(const std::string& path, const char* what) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw SetupError(exit_status::no_input, fmt::format("{} '{}': {}", what, path, std::strerror(errno)));
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int run(const RunOptions& options) {
    setup_logging(options.log_level, options.log_json);
    std::vector<uint8_t> kernel_file, initrd_file;
    GuestImages images;
    if (!options.kernel.empty()) {
        kernel_file = read_file(options.kernel, "kernel");
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
        initrd_file = read_file(options.initrd, "initrd");
        images.initrd = initrd_file;
    }
    // Refuse a malformed kernel before touching KVM at all.
    parse_kernel(images.kernel, options.mem);
    Machine machine(options, images);
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
