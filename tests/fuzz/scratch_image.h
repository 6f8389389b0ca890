// A disk image for the virtio fuzzers: 64 sectors of 0x5a in /tmp, made once per run.
#pragma once
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

inline std::string make_scratch_image() {
    char name[] = "/tmp/cocoon-fuzz-disk-XXXXXX";
    int fd = mkstemp(name);
    std::vector<uint8_t> sectors(64 * 512, 0x5a);
    if (fd < 0 || ::write(fd, sectors.data(), sectors.size()) != static_cast<ssize_t>(sectors.size())) std::abort();
    close(fd);
    return name;
}
