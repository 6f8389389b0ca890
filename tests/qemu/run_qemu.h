// Booting a PVH kernel on QEMU's microvm machine, under software emulation.
#pragma once
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace cocoon::test {

struct QemuRun {
    std::string out;       // the guest's serial console
    int qemu_status = -1;  // QEMU's exit status: (value << 1) | 1 for an exit-port write
    int guest_status = -1; // the value the guest wrote, or -1
};

inline QemuRun run_qemu_microvm(const std::string& kernel, const std::string& initrd, const std::string& cmdline,
                                int timeout_s = 120) {
    std::string command = "timeout " + std::to_string(timeout_s) +
                          " qemu-system-x86_64 -M microvm -cpu max -m 256M -nodefaults -no-user-config -nographic"
                          " -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel '" + kernel + "'";
    if (!initrd.empty()) command += " -initrd '" + initrd + "'";
    if (!cmdline.empty()) command += " -append '" + cmdline + "'";
    command += " </dev/null 2>/dev/null";
    QemuRun run;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return run;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
    int status = pclose(pipe);
    run.qemu_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (run.qemu_status > 0 && (run.qemu_status & 1)) run.guest_status = run.qemu_status >> 1;
    return run;
}

} // namespace cocoon::test
