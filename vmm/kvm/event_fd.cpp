#include "vmm/kvm/event_fd.h"

#include <sys/eventfd.h>

#include <cerrno>
#include <system_error>

namespace cocoon::vmm {

EventFd::EventFd() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (!fd_) throw std::system_error(errno, std::generic_category(), "eventfd");
}

void EventFd::signal() {
    uint64_t one = 1;
    // Only EAGAIN (counter saturated) can fail here, and then the event is pending anyway.
    [[maybe_unused]] ssize_t n = ::write(fd_.get(), &one, sizeof one);
}

uint64_t EventFd::consume() {
    uint64_t value = 0;
    return ::read(fd_.get(), &value, sizeof value) == sizeof value ? value : 0;
}

} // namespace cocoon::vmm
