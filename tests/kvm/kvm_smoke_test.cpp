// The path itself: a VM made with raw KVM ioctls, one page of real-mode code that
// writes a byte to a port and halts. Proves /dev/kvm works where the tests run.
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

namespace {

struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    ~Fd() { if (fd >= 0) close(fd); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
};

TEST(KvmSmoke, RealModeGuestWritesPortAndHalts) {
    Fd kvm(open("/dev/kvm", O_RDWR | O_CLOEXEC));
    ASSERT_GE(kvm.fd, 0) << "/dev/kvm: " << std::strerror(errno)
                         << " (KVM tests need KVM: run them through scripts/with-kvm.sh)";
    ASSERT_EQ(ioctl(kvm.fd, KVM_GET_API_VERSION, 0), KVM_API_VERSION);

    Fd vm(ioctl(kvm.fd, KVM_CREATE_VM, 0));
    ASSERT_GE(vm.fd, 0) << std::strerror(errno);

    constexpr size_t mem_size = 0x1000;
    constexpr uint64_t code_gpa = 0x1000;
    void* mem = mmap(nullptr, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(mem, MAP_FAILED);
    // mov dx, 0x3f8 ; mov al, 0x2a ; out dx, al ; mov al, 0x17 ; out dx, al ; hlt
    const uint8_t code[] = {0xba, 0xf8, 0x03, 0xb0, 0x2a, 0xee, 0xb0, 0x17, 0xee, 0xf4};
    std::memcpy(mem, code, sizeof code);

    kvm_userspace_memory_region region{};
    region.slot = 0;
    region.guest_phys_addr = code_gpa;
    region.memory_size = mem_size;
    region.userspace_addr = reinterpret_cast<uint64_t>(mem);
    ASSERT_EQ(ioctl(vm.fd, KVM_SET_USER_MEMORY_REGION, &region), 0) << std::strerror(errno);

    Fd vcpu(ioctl(vm.fd, KVM_CREATE_VCPU, 0));
    ASSERT_GE(vcpu.fd, 0) << std::strerror(errno);
    int run_size = ioctl(kvm.fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    ASSERT_GT(run_size, 0);
    auto* run = static_cast<kvm_run*>(mmap(nullptr, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu.fd, 0));
    ASSERT_NE(run, MAP_FAILED);

    kvm_sregs sregs{};
    ASSERT_EQ(ioctl(vcpu.fd, KVM_GET_SREGS, &sregs), 0);
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    ASSERT_EQ(ioctl(vcpu.fd, KVM_SET_SREGS, &sregs), 0);
    kvm_regs regs{};
    regs.rip = code_gpa;
    regs.rflags = 0x2;
    ASSERT_EQ(ioctl(vcpu.fd, KVM_SET_REGS, &regs), 0);

    std::string seen;
    bool halted = false;
    for (int exits = 0; exits < 16 && !halted; ++exits) {
        ASSERT_EQ(ioctl(vcpu.fd, KVM_RUN, 0), 0) << std::strerror(errno);
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            EXPECT_EQ(run->io.direction, KVM_EXIT_IO_OUT);
            EXPECT_EQ(run->io.port, 0x3f8);
            EXPECT_EQ(run->io.size, 1);
            EXPECT_EQ(run->io.count, 1u);
            seen.push_back(static_cast<char>(reinterpret_cast<uint8_t*>(run)[run->io.data_offset]));
            break;
        case KVM_EXIT_HLT:
            halted = true;
            break;
        default:
            FAIL() << "unexpected exit reason " << run->exit_reason;
        }
    }
    EXPECT_TRUE(halted);
    EXPECT_EQ(seen, std::string("\x2a\x17"));
    munmap(run, run_size);
    munmap(mem, mem_size);
}

} // namespace
