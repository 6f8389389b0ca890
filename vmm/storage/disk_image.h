// A disk image file as a virtio-blk device's backing store: opened once, its size
// fixed at open, every access checked against it so that no request reads or writes
// outside the image. Reads and writes are positional (preadv/pwritev), so requests
// need no shared file offset.
#pragma once
#include <sys/uio.h>

#include <cstdint>
#include <span>
#include <string>

#include "vmm/kvm/unique_fd.h"

namespace cocoon::vmm {

class DiskImage {
public:
    // Throws SetupError: missing file (no_input), not a regular file or not a whole
    // number of 512-byte sectors (bad_input).
    DiskImage(const std::string& path, bool read_only);

    const std::string& path() const { return path_; }
    bool read_only() const { return read_only_; }
    uint64_t size() const { return size_; }
    uint64_t sectors() const { return size_ / 512; }

    // False when [offset, offset + length of `buffers`) is not inside the image, the
    // image is read-only (writes), or the host's I/O failed.
    bool read(uint64_t offset, std::span<const iovec> buffers);
    bool write(uint64_t offset, std::span<const iovec> buffers);
    bool flush();  // fdatasync: what was written is on the disk when this returns true

private:
    bool in_bounds(uint64_t offset, std::span<const iovec> buffers) const;

    std::string path_;
    bool read_only_;
    UniqueFd fd_;
    uint64_t size_ = 0;
};

} // namespace cocoon::vmm
