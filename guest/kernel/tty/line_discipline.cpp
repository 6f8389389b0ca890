#include "kernel/tty/line_discipline.h"

namespace kernel::tty {
namespace {

constexpr char ctrl_c = 0x03, ctrl_u = 0x15, backspace = 0x08, del = 0x7f;

bool is_utf8_continuation(char c) { return (static_cast<uint8_t>(c) & 0xc0) == 0x80; }

} // namespace

bool LineDiscipline::can_take() const { return edit_ - read_ < line_max || commit_ == read_; }

LineDiscipline::Event LineDiscipline::receive(char c) {
    if (mode_ == Mode::raw) {
        put(c);
        return commit();
    }
    switch (c) {
    case ctrl_c: return discard_all();
    case end_of_input: put(end_of_input); return commit();
    case backspace:
    case del: erase_character(); return Event::none;
    case ctrl_u:
        while (edit_ != commit_) erase_character();
        return Event::none;
    case '\r':  // a terminal's Enter
    case '\n':
        put('\n');
        echo_.write("\n", 1);
        return commit();
    default:
        if (edit_ - commit_ >= line_max) {
            ++dropped_;
            return Event::none;
        }
        put(c);
        echo_.write(&c, 1);
        return Event::none;
    }
}

LineDiscipline::Event LineDiscipline::commit() {
    commit_ = edit_;
    return Event::readable;
}

// The last character typed: its UTF-8 continuation bytes and its first byte, one
// column on the screen.
void LineDiscipline::erase_character() {
    if (edit_ == commit_) return;
    while (edit_ - 1 != commit_ && is_utf8_continuation(at(edit_ - 1))) --edit_;
    --edit_;
    echo_.write("\b \b", 3);
}

// Ctrl-C: what was typed ahead was meant for the job it interrupts (as Linux flushes
// the input on SIGINT).
LineDiscipline::Event LineDiscipline::discard_all() {
    read_ = commit_ = edit_;
    echo_.write("^C\n", 3);
    return Event::interrupt;
}

bool LineDiscipline::readable() const { return commit_ != read_; }

size_t LineDiscipline::read(char* out, size_t size) {
    bool cooked = mode_ == Mode::cooked;
    size_t n = 0;
    while (n < size && read_ != commit_) {
        char c = at(read_++);
        if (cooked && c == end_of_input) return n;  // a line's end without newline, or with n 0 the input's
        out[n++] = c;
        if (cooked && c == '\n') return n;
    }
    // A line ended by Ctrl-D that filled `out` exactly: its mark goes with it, or the
    // next read would see an end of input nobody typed.
    if (cooked && n > 0 && read_ != commit_ && at(read_) == end_of_input) ++read_;
    return n;
}

void LineDiscipline::set_mode(Mode mode) {
    if (mode == Mode::raw) commit_ = edit_;  // a line half typed goes to the raw reader as it stands
    mode_ = mode;
}

} // namespace kernel::tty
