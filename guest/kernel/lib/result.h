// Errors are values: ErrorOr<T> holds a T or an errno (include/cocoon/syscalls.h), and
// TRY returns the error from the enclosing function. No exceptions in the kernel.
#pragma once
#include <stdint.h>

namespace kernel {

struct Error {
    int64_t code;  // a positive errno value
};

template <typename T>
class ErrorOr {
public:
    ErrorOr(T value) : value_(value), error_(0) {}
    ErrorOr(Error e) : value_(), error_(e.code) {}
    bool ok() const { return error_ == 0; }
    T value() const { return value_; }
    int64_t error() const { return error_; }

private:
    T value_;
    int64_t error_;
};

template <>
class ErrorOr<void> {
public:
    ErrorOr() : error_(0) {}
    ErrorOr(Error e) : error_(e.code) {}
    bool ok() const { return error_ == 0; }
    int64_t error() const { return error_; }

private:
    int64_t error_;
};

} // namespace kernel

#define TRY(expr)                                                   \
    ({                                                              \
        auto try_result_ = (expr);                                  \
        if (!try_result_.ok()) return ::kernel::Error{try_result_.error()}; \
        try_result_.value();                                        \
    })

#define TRY_VOID(expr)                                              \
    do {                                                            \
        auto try_result_ = (expr);                                  \
        if (!try_result_.ok()) return ::kernel::Error{try_result_.error()}; \
    } while (0)
