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

// `disk`, if given, becomes a read-only virtio-blk device: modern virtio-mmio, on the
// last of microvm's eight transports (ioapic2=off), announced on the command line.
inline constexpr const char* microvm_disk_cmdline = "virtio_mmio.device=512@0xfeb00e00:23";

// A second disk, `scratch`, is writable and lands on the transport before it.
inline constexpr const char* microvm_second_disk_cmdline = "virtio_mmio.device=512@0xfeb00c00:22";

inline QemuRun run_qemu_microvm(const std::string& kernel, const std::string& initrd, const std::string& cmdline,
                                const std::string& disk = "", const std::string& scratch = "",
                                const std::string& memory = "256M", int timeout_s = 120) {
    std::string command = "timeout " + std::to_string(timeout_s) +
                          " qemu-system-x86_64 -M microvm,ioapic2=off -cpu max -m " + memory +
                          " -nodefaults -no-user-config"
                          " -nographic -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel '" +
                          kernel + "'";
    if (!disk.empty())
        command += " -global virtio-mmio.force-legacy=false -drive id=d0,if=none,format=raw,readonly=on,file='" + disk +
                   "' -device virtio-blk-device,drive=d0";
    if (!scratch.empty())
        command += " -drive id=d1,if=none,format=raw,file='" + scratch + "' -device virtio-blk-device,drive=d1";
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
