#include "vmm/kvm/kvm_stats.h"

#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace cocoon::vmm {

namespace {

// kvm_stats_desc without its name: the uapi header's flexible-array macro pads the struct
// in C++ (20 bytes), but the kernel lays out 16 bytes of fields, then the name.
struct DescriptorFields {
    uint32_t flags;
    int16_t exponent;
    uint16_t size;
    uint32_t offset;
    uint32_t bucket_size;
};
static_assert(sizeof(DescriptorFields) == 16);

bool read_at(int fd, void* buffer, size_t size, uint64_t offset) {
    return pread(fd, buffer, size, static_cast<off_t>(offset)) == static_cast<ssize_t>(size);
}

} // namespace

KvmStats::KvmStats(int fd) : fd_(ioctl(fd, KVM_GET_STATS_FD, nullptr)) {}

std::map<std::string, uint64_t> KvmStats::read() const { return fd_ ? read_kvm_stats(fd_.get()) : std::map<std::string, uint64_t>{}; }

std::map<std::string, uint64_t> read_kvm_stats(int stats_fd) {
    std::map<std::string, uint64_t> counters;
    kvm_stats_header header{};
    if (!read_at(stats_fd, &header, sizeof header, 0) || header.name_size == 0 || header.num_desc > 4096)
        return counters;
    // Each descriptor is the fixed part followed by a name of name_size bytes.
    size_t desc_size = sizeof(DescriptorFields) + header.name_size;
    std::vector<uint8_t> descs(desc_size * header.num_desc);
    if (!read_at(stats_fd, descs.data(), descs.size(), header.desc_offset)) return counters;
    for (uint32_t i = 0; i < header.num_desc; ++i) {
        DescriptorFields desc{};
        std::memcpy(&desc, descs.data() + i * desc_size, sizeof desc);
        uint32_t type = desc.flags & KVM_STATS_TYPE_MASK;
        if (desc.size != 1 || (type != KVM_STATS_TYPE_CUMULATIVE && type != KVM_STATS_TYPE_INSTANT)) continue;
        const char* name = reinterpret_cast<const char*>(descs.data() + i * desc_size + sizeof(DescriptorFields));
        uint64_t value = 0;
        if (read_at(stats_fd, &value, sizeof value, header.data_offset + desc.offset))
            counters[std::string(name, strnlen(name, header.name_size))] = value;
    }
    return counters;
}

} // namespace cocoon::vmm
