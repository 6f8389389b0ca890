#include "vmm/storage/disk_image.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <boost/container/small_vector.hpp>
#include <fmt/format.h>

#include "vmm/error.h"
#include "vmm/exit_status.h"

namespace cocoon::vmm {

DiskImage::DiskImage(const std::string& path, bool read_only) : path_(path), read_only_(read_only) {
    fd_ = UniqueFd(::open(path.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC));
    if (fd_.get() < 0)
        throw SetupError(errno == ENOENT ? exit_status::no_input : exit_status::bad_input,
                         fmt::format("disk image {}: {}", path, std::strerror(errno)));
    struct stat st {};
    if (fstat(fd_.get(), &st) != 0 || !S_ISREG(st.st_mode))
        throw SetupError(exit_status::bad_input, fmt::format("disk image {}: not a regular file", path));
    size_ = static_cast<uint64_t>(st.st_size);
    if (size_ == 0 || size_ % 512)
        throw SetupError(exit_status::bad_input,
                         fmt::format("disk image {}: {} bytes is not a whole number of 512-byte sectors", path, size_));
}

bool DiskImage::in_bounds(uint64_t offset, std::span<const iovec> buffers) const {
    uint64_t length = 0;
    for (const iovec& b : buffers) length += b.iov_len;  // each below 4 GiB: no overflow
    return offset <= size_ && length <= size_ - offset;
}

namespace {

// Runs preadv/pwritev until every byte moved, advancing through the buffers after a
// short transfer. False on an error or an early end of file.
template <typename Transfer>
bool transfer_all(Transfer transfer, uint64_t offset, std::span<const iovec> buffers) {
    boost::container::small_vector<iovec, 8> left;  // inline: no allocation per request
    for (const iovec& b : buffers)
        if (b.iov_len) left.push_back(b);
    size_t first = 0;
    while (first < left.size()) {
        size_t count = std::min<size_t>(left.size() - first, IOV_MAX);
        ssize_t n = transfer(left.data() + first, static_cast<int>(count), static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        offset += static_cast<uint64_t>(n);
        auto done = static_cast<size_t>(n);
        while (first < left.size() && done >= left[first].iov_len) done -= left[first++].iov_len;
        if (first < left.size()) {
            left[first].iov_base = static_cast<uint8_t*>(left[first].iov_base) + done;
            left[first].iov_len -= done;
        }
    }
    return true;
}

} // namespace

bool DiskImage::read(uint64_t offset, std::span<const iovec> buffers) {
    if (!in_bounds(offset, buffers)) return false;
    int fd = fd_.get();
    return transfer_all([fd](const iovec* v, int n, off_t at) { return ::preadv(fd, v, n, at); }, offset, buffers);
}

bool DiskImage::write(uint64_t offset, std::span<const iovec> buffers) {
    if (read_only_ || !in_bounds(offset, buffers)) return false;
    int fd = fd_.get();
    return transfer_all([fd](const iovec* v, int n, off_t at) { return ::pwritev(fd, v, n, at); }, offset, buffers);
}

bool DiskImage::flush() { return read_only_ || ::fdatasync(fd_.get()) == 0; }

} // namespace cocoon::vmm
