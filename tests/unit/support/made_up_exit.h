// An exit to user space as KVM reports it in a vCPU's kvm_run page, made up for tests
// that run without KVM. Port I/O data lies in the page after the struct, where KVM's
// io.data_offset points.
#pragma once
#include <linux/kvm.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <new>
#include <span>
#include <vector>

namespace test {

class MadeUpExit {
public:
    MadeUpExit() : run_(*new (page_.data()) kvm_run{}) {}
    MadeUpExit(const MadeUpExit&) = delete;
    MadeUpExit& operator=(const MadeUpExit&) = delete;

    kvm_run& of_reason(uint32_t reason) {
        run_.exit_reason = reason;
        return run_;
    }

    // `count` accesses of `size` bytes at `port` (count > 1: string I/O, rep outsb and the like).
    kvm_run& port_out(uint16_t port, uint8_t size, const std::vector<uint8_t>& bytes) {
        port_io(port, KVM_EXIT_IO_OUT, size, static_cast<uint32_t>(bytes.size() / size));
        std::copy(bytes.begin(), bytes.end(), io_data().begin());
        return run_;
    }
    kvm_run& port_in(uint16_t port, uint8_t size, uint32_t count = 1) {
        port_io(port, KVM_EXIT_IO_IN, size, count);
        return run_;
    }
    // What the guest receives from a port read (or what it sent).
    std::span<uint8_t> io_data() {
        return std::span(page_).subspan(run_.io.data_offset, size_t{run_.io.size} * run_.io.count);
    }

    kvm_run& mmio_write(uint64_t address, const std::vector<uint8_t>& bytes) {
        mmio(address, static_cast<uint32_t>(bytes.size()), true);
        std::copy(bytes.begin(), bytes.end(), run_.mmio.data);
        return run_;
    }
    kvm_run& mmio_read(uint64_t address, uint32_t len) {
        mmio(address, len, false);
        return run_;
    }

private:
    void port_io(uint16_t port, uint8_t direction, uint8_t size, uint32_t count) {
        run_.exit_reason = KVM_EXIT_IO;
        run_.io = {direction, size, port, count, sizeof(kvm_run)};
    }
    void mmio(uint64_t address, uint32_t len, bool write) {
        run_.exit_reason = KVM_EXIT_MMIO;
        run_.mmio.phys_addr = address;
        run_.mmio.len = len;
        run_.mmio.is_write = write;
    }

    alignas(kvm_run) std::array<uint8_t, 4096> page_{};
    kvm_run& run_;
};

} // namespace test
