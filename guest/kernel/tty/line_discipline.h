// The console's line discipline, as in xv6's console.c and a Unix tty's cooked mode: the
// bytes a terminal sends become lines for readers. It echoes what is typed, erases on
// backspace (a whole UTF-8 character at a time) and Ctrl-U, turns Ctrl-C into an
// interrupt and Ctrl-D into the end of input; in raw mode every byte passes as it is.
// Portable: no hardware, tested on the host. Its caller feeds it bytes and keeps them
// in the device while it cannot take more.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace kernel::tty {

// Where echoes go: the terminal the bytes came from.
class Echo {
public:
    virtual void write(const char* text, size_t length) = 0;

protected:
    ~Echo() = default;
};

enum class Mode : uint8_t { cooked, raw };

class LineDiscipline {
public:
    // Bytes held for readers, the line being typed included. A line keeps at most
    // line_max bytes: its end (newline or Ctrl-D) takes the last one.
    static constexpr uint32_t capacity = 1024;
    static constexpr uint32_t line_max = capacity - 1;

    enum class Event { none, readable, interrupt };

    explicit LineDiscipline(Echo& echo) : echo_(echo) {}

    // Whether receive() can take a byte now. False while lines nobody has read yet fill
    // the buffer: the byte waits in the device until a reader makes room, so nothing
    // typed ahead is lost. A line alone too long for the buffer is cut instead (a reader
    // waits for its end, so waiting would not help): its extra bytes are dropped, counted.
    bool can_take() const;
    // One byte from the terminal, when can_take(). `readable`: a reader can now have
    // something; `interrupt`: Ctrl-C, after which all input was discarded.
    Event receive(char c);

    // Whether read() has something to give: a line, an end of input, or (raw) a byte.
    bool readable() const;
    // The next line or what fits of it (cooked), or the bytes there are (raw), into
    // `out`; 0 at an end of input (Ctrl-D on an empty line), which it consumes.
    size_t read(char* out, size_t size);

    Mode mode() const { return mode_; }
    void set_mode(Mode mode);
    uint64_t dropped() const { return dropped_; }

private:
    static constexpr char end_of_input = 0x04;  // Ctrl-D, kept in the buffer as a mark

    char at(uint32_t index) const { return buffer_[index % capacity]; }
    void put(char c) { buffer_[edit_++ % capacity] = c; }
    Event commit();
    void erase_character();
    Event discard_all();

    Echo& echo_;
    Mode mode_ = Mode::cooked;
    char buffer_[capacity] = {};
    // Counters that only grow, taken modulo capacity: [read_, commit_) is what readers
    // may have, [commit_, edit_) the line still being typed.
    uint32_t read_ = 0, commit_ = 0, edit_ = 0;
    uint64_t dropped_ = 0;
};

} // namespace kernel::tty
