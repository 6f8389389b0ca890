// A set-up error: a message a user can act on, and the exit status it maps to.
// Thrown while building the machine; never from a running vCPU's exit path.
#pragma once
#include <stdexcept>
#include <string>

namespace cocoon::vmm {

class SetupError : public std::runtime_error {
public:
    SetupError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
    int status() const { return status_; }

private:
    int status_;
};

} // namespace cocoon::vmm
