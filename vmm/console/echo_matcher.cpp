#include "vmm/console/echo_matcher.h"

namespace cocoon::vmm {
namespace {

constexpr uint8_t del = 0x7f;
constexpr std::string_view caret_letters = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_";

// Whether `out` is the first byte of an echo of `typed`; if so, `rest` is what follows it.
bool begins_echo(uint8_t typed, uint8_t out, std::string_view& rest) {
    switch (typed) {
    case '\r':
    case '\n':
        rest = out == '\r' ? "\n" : "";
        return out == '\r' || out == '\n';
    case '\b':
    case del:
        rest = " \b";
        return out == '\b';
    }
    bool caret = typed < 0x20 && typed != '\t';
    rest = caret ? caret_letters.substr(typed, 1) : "";
    return out == (caret ? '^' : typed);
}

} // namespace

void EchoMatcher::entered(uint8_t byte, HostTime now) { typed_.push_back({byte, now}); }

void EchoMatcher::left() {
    if (read_ == typed_.size()) return;  // nothing entered: not a byte of the host's
    if (++read_ > max_awaiting) give_up_oldest();
}

std::optional<Echo> EchoMatcher::sent(uint8_t byte, HostTime now) {
    if (!echo_rest_.empty() && byte == uint8_t(echo_rest_.front())) {
        echo_rest_.remove_prefix(1);
        return std::nullopt;
    }
    echo_rest_ = {};
    while (read_ > 0) {
        Typed oldest = typed_.front();
        std::string_view rest;
        if (!begins_echo(oldest.byte, byte, rest)) {
            give_up_oldest();
            continue;
        }
        typed_.pop_front();
        --read_;
        echo_rest_ = rest;
        return Echo{oldest.byte, oldest.handed, now};
    }
    return std::nullopt;
}

void EchoMatcher::give_up_oldest() {
    typed_.pop_front();
    --read_;
    ++not_echoed_;
}

} // namespace cocoon::vmm
