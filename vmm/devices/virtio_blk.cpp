#include "vmm/devices/virtio_blk.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include <boost/container/small_vector.hpp>
#include <spdlog/spdlog.h>

namespace cocoon::vmm {

using namespace cocoon::virtio;

namespace {

constexpr uint64_t malformed_logged = 8;  // a guest that keeps sending garbage is not a log flood

// iovecs of a request's data: inline for the usual few buffers, so that a request
// costs the event thread no heap allocation.
using IoVecs = boost::container::small_vector<iovec, inline_segments>;

// One side of a chain (the device-readable or the device-writable buffers) as a
// sequence of bytes.
struct Bytes {
    boost::container::small_vector<std::span<uint8_t>, inline_segments> parts;
    uint64_t size = 0;

    void add(std::span<uint8_t> part) {
        parts.push_back(part);
        size += part.size();
    }
    // iovecs for bytes [from, to) of the sequence.
    IoVecs slice(uint64_t from, uint64_t to) const {
        IoVecs out;
        uint64_t at = 0;
        for (std::span<uint8_t> p : parts) {
            uint64_t begin = std::max(from, at), end = std::min(to, at + p.size());
            if (begin < end) out.push_back({p.data() + (begin - at), static_cast<size_t>(end - begin)});
            at += p.size();
        }
        return out;
    }
    void copy_out(uint64_t from, void* into, uint64_t n) const {
        auto* dst = static_cast<uint8_t*>(into);
        for (const iovec& v : slice(from, from + n)) dst = static_cast<uint8_t*>(std::memcpy(dst, v.iov_base, v.iov_len)) + v.iov_len;
    }
    void copy_in(uint64_t from, const void* data, uint64_t n) const {
        auto* src = static_cast<const uint8_t*>(data);
        for (const iovec& v : slice(from, from + n)) src = static_cast<const uint8_t*>(std::memcpy(v.iov_base, src, v.iov_len)) + v.iov_len;
    }
};

} // namespace

VirtioBlk::VirtioBlk(const GuestMemory& memory, DiskImage& image, std::string id)
    : image_(image), id_(std::move(id)), queue_(memory, queue_size) {
    config_.capacity = image.sectors();
    config_.seg_max = seg_max;
    config_.blk_size = sector_size;
}

uint64_t VirtioBlk::features() const {
    uint64_t f = (1ull << feature_version_1) | (1ull << feature_indirect_desc) | (1ull << feature_blk_seg_max) |
                 (1ull << feature_blk_blk_size) | (1ull << feature_blk_flush);
    if (image_.read_only()) f |= 1ull << feature_blk_ro;
    return f;
}

std::span<const uint8_t> VirtioBlk::config() const {
    return {reinterpret_cast<const uint8_t*>(&config_), sizeof config_};
}

bool VirtioBlk::process(size_t) {
    bool used = false;
    bool was_broken = !queue_.broken().empty();  // stopped before: nothing new to report
    // At most a queue's worth per notification: a driver that refills the ring as fast as
    // the device drains it must not keep the event thread — every other device, timer
    // and signal — here for good. All that was available when the notification came is
    // at most a queue's worth (more is a broken ring); what is published after it comes
    // with a notification of its own.
    for (uint32_t n = 0; n < queue_.size(); ++n) {
        auto chain = queue_.pop();
        if (!chain) break;
        uint32_t written = chain->error.empty() ? handle(*chain) : (reject(*chain, chain->error), 0);
        queue_.push_used(chain->head, written);
        used = true;
    }
    if (!was_broken && !queue_.broken().empty() && stats_.malformed++ < malformed_logged)
        spdlog::warn("virtio-blk {}: queue stopped: {}", image_.path(), queue_.broken());
    return used;
}

void VirtioBlk::reject(const DescriptorChain& chain, const std::string& why) {
    if (stats_.malformed++ < malformed_logged)
        spdlog::warn("virtio-blk {}: request at descriptor {} refused: {}", image_.path(), chain.head, why);
}

uint32_t VirtioBlk::handle(const DescriptorChain& chain) {
    Bytes in, out;  // device-readable, device-writable
    for (const ChainSegment& s : chain.segments) (s.device_writable ? out : in).add(s.bytes);
    if (out.size == 0) {
        reject(chain, "no device-writable byte for the status");
        return 0;
    }
    uint64_t status_at = out.size - 1;
    auto finish = [&](uint8_t status, uint64_t data_written) {
        if (status != blk_s_ok) ++stats_.errors;
        out.copy_in(status_at, &status, 1);
        return static_cast<uint32_t>(data_written + 1);
    };
    BlkRequestHeader header{};
    if (in.size < sizeof header) {
        reject(chain, fmt::format("header of {} bytes, {} needed", in.size, sizeof header));
        return finish(blk_s_ioerr, 0);
    }
    in.copy_out(0, &header, sizeof header);

    uint64_t length = header.type == blk_in ? status_at : in.size - sizeof header;
    bool data_request = header.type == blk_in || header.type == blk_out;
    if (data_request) {
        uint64_t sectors = length / sector_size;
        if (length % sector_size) {
            reject(chain, fmt::format("data of {} bytes is not whole sectors", length));
            return finish(blk_s_ioerr, 0);
        }
        if (header.sector > image_.sectors() || sectors > image_.sectors() - header.sector) {
            reject(chain, fmt::format("sectors {}+{} are past the end of the disk ({} sectors)", header.sector,
                                      sectors, image_.sectors()));
            return finish(blk_s_ioerr, 0);
        }
    }
    uint64_t offset = header.sector * sector_size;
    switch (header.type) {
    case blk_in: {
        ++stats_.reads;
        if (!image_.read(offset, out.slice(0, length))) return finish(blk_s_ioerr, 0);
        stats_.bytes_read += length;
        return finish(blk_s_ok, length);
    }
    case blk_out: {
        if (image_.read_only()) {
            reject(chain, "write to a read-only disk");
            return finish(blk_s_ioerr, 0);
        }
        ++stats_.writes;
        if (!image_.write(offset, in.slice(sizeof header, in.size))) return finish(blk_s_ioerr, 0);
        stats_.bytes_written += length;
        return finish(blk_s_ok, 0);
    }
    case blk_flush:
        ++stats_.flushes;
        return finish(image_.flush() ? blk_s_ok : blk_s_ioerr, 0);
    case blk_get_id: {
        ++stats_.ids;
        char id[blk_id_bytes] = {};
        std::memcpy(id, id_.data(), std::min<size_t>(id_.size(), sizeof id));
        uint64_t n = std::min<uint64_t>(status_at, sizeof id);
        out.copy_in(0, id, n);
        return finish(blk_s_ok, n);
    }
    default:
        return finish(blk_s_unsupp, 0);
    }
}

} // namespace cocoon::vmm
