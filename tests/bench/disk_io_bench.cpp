// What a disk request costs cocoon's event thread, two ways: a synchronous preadv (what
// VirtioBlk does) and Boost.Asio's random_access_file over io_uring, with one request
// in flight (what the guest's driver keeps per disk) and with sixteen. Reads from a
// page-cached image, so the figures are the host's per-request overhead, not a disk's.
// Run by scripts/bench-disk-io.sh; prints a table.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/random_access_file.hpp>

namespace {

struct Cost {
    double wall_us, cpu_us;  // per request
};

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

Cost measure(size_t requests, const std::function<void()>& run) {
    double cpu = cpu_seconds();
    auto start = std::chrono::steady_clock::now();
    run();
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return {wall * 1e6 / requests, (cpu_seconds() - cpu) * 1e6 / requests};
}

Cost with_preadv(const std::string& path, size_t block, size_t requests, size_t file_blocks) {
    int fd = open(path.c_str(), O_RDONLY);
    std::vector<char> buffer(block);
    Cost c = measure(requests, [&] {
        for (size_t i = 0; i < requests; ++i) {
            iovec v{buffer.data(), block};
            if (preadv(fd, &v, 1, static_cast<off_t>((i * 7919 % file_blocks) * block)) != static_cast<ssize_t>(block))
                std::perror("preadv");
        }
    });
    close(fd);
    return c;
}

Cost with_io_uring(const std::string& path, size_t block, size_t requests, size_t file_blocks, size_t depth) {
    boost::asio::io_context io;
    boost::asio::random_access_file file(io, path, boost::asio::random_access_file::read_only);
    std::vector<std::vector<char>> buffers(depth, std::vector<char>(block));
    size_t issued = 0;
    std::function<void(size_t)> issue = [&](size_t lane) {
        if (issued == requests) return;
        uint64_t offset = (issued++ * 7919 % file_blocks) * block;
        file.async_read_some_at(offset, boost::asio::buffer(buffers[lane]), [&, lane](auto error, size_t) {
            if (error) std::fprintf(stderr, "io_uring read: %s\n", error.message().c_str());
            issue(lane);
        });
    };
    return measure(requests, [&] {
        for (size_t lane = 0; lane < depth; ++lane) issue(lane);
        io.run();
    });
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: disk_io_bench IMAGE (64 MiB or more)\n");
        return 2;
    }
    std::string path = argv[1];
    std::printf("%-8s %-22s %12s %12s\n", "block", "how", "wall us/req", "cpu us/req");
    for (size_t block : {size_t{4096}, size_t{65536}}) {
        size_t requests = block == 4096 ? 20000 : 4000, file_blocks = (64u << 20) / block;
        with_preadv(path, block, requests, file_blocks);  // warm the page cache
        auto row = [&](const char* how, Cost c) {
            std::printf("%-8zu %-22s %12.2f %12.2f\n", block, how, c.wall_us, c.cpu_us);
        };
        row("preadv, 1 in flight", with_preadv(path, block, requests, file_blocks));
        row("io_uring, 1 in flight", with_io_uring(path, block, requests, file_blocks, 1));
        row("io_uring, 16 in flight", with_io_uring(path, block, requests, file_blocks, 16));
    }
    return 0;
}
