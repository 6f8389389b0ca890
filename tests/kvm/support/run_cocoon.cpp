#include "support/run_cocoon.h"
#include "support/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace cocoon::test {

std::string build_path(const std::string& relative) { return std::string(COCOON_BINARY_DIR) + "/" + relative; }

std::string kvm_unavailable_reason() {
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) return std::string("/dev/kvm: ") + std::strerror(errno);
    close(fd);
    return "";
}

CocoonRun run_cocoon(const std::vector<std::string>& args, std::chrono::seconds timeout,
                     const std::optional<SignalAfter>& signal, const std::vector<TypeAfter>& typing) {
    return run_program(COCOON_BIN, args, timeout, signal, typing);
}

namespace {

bool newer_than_cocoon(const std::string& path) {
    struct stat kept{}, binary{};
    return stat(path.c_str(), &kept) == 0 && stat(COCOON_BIN, &binary) == 0 &&
           kept.st_mtim.tv_sec > binary.st_mtim.tv_sec;
}

} // namespace

bool kept_run_is_current(const std::string& dir) { return newer_than_cocoon(dir + "/status"); }

CocoonRun run_program_once(const std::string& dir, const std::string& program, const std::vector<std::string>& args,
                           std::chrono::seconds timeout, int keep_status) {
    mkdir(dir.c_str(), 0755);
    std::string done = dir + "/status";
    if (kept_run_is_current(dir)) return {std::stoi(read_file(done)), read_file(dir + "/out"), read_file(dir + "/err")};
    CocoonRun run = run_program(program, args, timeout);
    if (run.status != keep_status) return run;  // the next test runs it again
    std::ofstream(dir + "/out") << run.out;
    std::ofstream(dir + "/err") << run.err;
    std::ofstream(done) << run.status;  // last: it marks the run complete
    return run;
}

CocoonRun run_cocoon_once(const std::string& dir, const std::vector<std::string>& args, std::chrono::seconds timeout,
                          int keep_status) {
    return run_program_once(dir, COCOON_BIN, args, timeout, keep_status);
}

} // namespace cocoon::test
