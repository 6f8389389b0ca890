// An eventfd: the doorbell KVM rings for ioeventfd, and the line cocoon pulls for irqfd.
#pragma once
#include <cstdint>

#include "vmm/kvm/unique_fd.h"

namespace cocoon::vmm {

class EventFd {
public:
    EventFd();  // non-blocking, close-on-exec; throws std::system_error
    int fd() const { return fd_.get(); }
    void signal();           // add 1
    uint64_t consume();      // read and reset the counter; 0 if nothing pending

private:
    UniqueFd fd_;
};

} // namespace cocoon::vmm
