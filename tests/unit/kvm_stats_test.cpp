// KVM's binary statistics, parsed from a file laid out as KVM lays out its stats fd:
// header, id, descriptors (16 bytes of fields, then a fixed-size name), data.
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include <linux/kvm.h>

#include <gtest/gtest.h>

#include "vmm/kvm/kvm_stats.h"

namespace {

constexpr uint32_t name_size = 48;

struct Counter {
    std::string name;
    uint32_t type;
    uint16_t size;
    std::vector<uint64_t> values;
};

// A memfd holding the stats file for `counters`.
int stats_file(const std::vector<Counter>& counters) {
    std::vector<uint8_t> bytes(24 + name_size);  // the header, then the id string
    kvm_stats_header header{};
    header.name_size = name_size;
    header.num_desc = static_cast<uint32_t>(counters.size());
    header.id_offset = 24;
    header.desc_offset = 24 + name_size;
    header.data_offset = header.desc_offset + static_cast<uint32_t>(counters.size() * (16 + name_size));
    std::memcpy(bytes.data(), &header, sizeof header);
    std::vector<uint64_t> data;
    for (const Counter& c : counters) {
        uint8_t desc[16 + name_size] = {};
        uint32_t flags = c.type, offset = static_cast<uint32_t>(data.size() * 8);
        std::memcpy(desc + 0, &flags, 4);
        std::memcpy(desc + 6, &c.size, 2);
        std::memcpy(desc + 8, &offset, 4);
        std::memcpy(desc + 16, c.name.data(), c.name.size());
        bytes.insert(bytes.end(), desc, desc + sizeof desc);
        data.insert(data.end(), c.values.begin(), c.values.end());
    }
    auto* raw = reinterpret_cast<const uint8_t*>(data.data());
    bytes.insert(bytes.end(), raw, raw + data.size() * 8);
    int fd = memfd_create("kvm-stats", 0);
    EXPECT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    return fd;
}

TEST(KvmStats, ReadsEachCounterByItsNameAndLeavesHistogramsOut) {
    int fd = stats_file({{"exits", KVM_STATS_TYPE_CUMULATIVE, 1, {12345}},
                         {"halt_wait_hist", KVM_STATS_TYPE_LOG_HIST, 4, {1, 2, 3, 4}},
                         {"io_exits", KVM_STATS_TYPE_CUMULATIVE, 1, {678}},
                         {"guest_mode", KVM_STATS_TYPE_INSTANT, 1, {1}},
                         {"max_mmu_page_hash_collisions", KVM_STATS_TYPE_PEAK, 1, {9}}});
    auto counters = cocoon::vmm::read_kvm_stats(fd);
    close(fd);
    EXPECT_EQ(counters, (std::map<std::string, uint64_t>{{"exits", 12345}, {"guest_mode", 1}, {"io_exits", 678}}));
}

TEST(KvmStats, AFileThatIsNotOneGivesNothing) {
    int fd = memfd_create("empty", 0);
    EXPECT_TRUE(cocoon::vmm::read_kvm_stats(fd).empty());
    close(fd);
    EXPECT_TRUE(cocoon::vmm::read_kvm_stats(-1).empty());
}

} // namespace
