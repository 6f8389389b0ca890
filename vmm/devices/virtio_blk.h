// virtio-blk (virtio 1.x, 5.2): one request queue over a DiskImage. Requests IN, OUT,
// FLUSH and GET_ID; every malformed request is answered with an error status when it
// has room for one, logged, and never reaches outside the image or guest RAM.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "cocoon/virtio.h"
#include "vmm/storage/disk_image.h"
#include "vmm/virtio/virtio_device.h"

namespace cocoon::vmm {

struct BlkStats {
    uint64_t reads = 0, writes = 0, flushes = 0, ids = 0;
    uint64_t bytes_read = 0, bytes_written = 0;
    uint64_t errors = 0;     // answered IOERR or UNSUPP
    uint64_t malformed = 0;  // chains that broke a rule
};

class VirtioBlk final : public VirtioDevice {
public:
    static constexpr uint16_t queue_size = 256;
    static constexpr uint32_t seg_max = queue_size - 2;  // header and status take two

    VirtioBlk(const GuestMemory& memory, DiskImage& image, std::string id);

    uint32_t device_id() const override { return virtio::device_id_block; }
    uint64_t features() const override;
    std::span<const uint8_t> config() const override;
    size_t queue_count() const override { return 1; }
    Virtqueue& queue(size_t) override { return queue_; }
    bool process(size_t index) override;

    const BlkStats& stats() const { return stats_; }

private:
    // Carries out one request; returns the bytes written into the chain.
    uint32_t handle(const DescriptorChain& chain);
    void reject(const DescriptorChain& chain, const std::string& why);

    DiskImage& image_;
    std::string id_;
    Virtqueue queue_;
    virtio::BlkConfig config_{};
    BlkStats stats_;
};

} // namespace cocoon::vmm
