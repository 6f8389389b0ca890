// The shell's loop: report the jobs that ended, prompt, read a line, run it. Its end
// (exit, or Ctrl-D on an empty line) ends its jobs too.
#include "shell.h"

namespace sh {
namespace {

enum class Input { line, interrupted, end };

// One line from the console, its newline dropped. A read that ends without one (Ctrl-D
// after some text) leaves the line open; a line longer than `size` is cut there.
Input read_line(char* line, size_t size) {
    size_t n = 0;
    for (;;) {
        long got = read(0, line + n, size - 1 - n);
        if (got == -sys::eintr) return Input::interrupted;
        if (got <= 0 && n == 0) return Input::end;
        if (got > 0) n += static_cast<size_t>(got);
        if (got <= 0 || line[n - 1] == '\n' || n == size - 1) {
            line[line[n - 1] == '\n' ? n - 1 : n] = 0;
            return Input::line;
        }
    }
}

// Reports, prompts, reads and runs until `exit` or the end of input.
void session() {
    static char line[2048];  // longer than the console's longest line
    for (bool exit_now = false; !exit_now;) {
        report_ended_jobs();
        printf("$ ");
        Input got = read_line(line, sizeof line);
        if (got == Input::end) {
            printf("\n");
            return;
        }
        Command c;
        if (got == Input::interrupted || !parse(line, c)) continue;
        if (run_builtin(c, &exit_now)) continue;
        if (c.background) run_background(c);
        else run_foreground(c);
    }
}

} // namespace

bool parse(char* line, Command& out) {
    while (*line == ' ' || *line == '\t') ++line;
    char* end = line + strlen(line);
    while (end > line && (end[-1] == ' ' || end[-1] == '\t')) --end;
    out.background = end > line && end[-1] == '&';
    if (out.background) --end;
    while (end > line && (end[-1] == ' ' || end[-1] == '\t')) --end;
    *end = 0;
    if (!*line) return false;
    out.name = line;
    while (*line && *line != ' ' && *line != '\t') ++line;
    if (*line) *line++ = 0;
    while (*line == ' ' || *line == '\t') ++line;
    out.args = line;
    return true;
}

const char* error_text(long error) {
    switch (-error) {
    case sys::enoent: return "no such program";
    case sys::eagain: return "too many processes";
    case sys::enomem: return "not enough memory";
    case sys::einval: return "invalid argument";
    case sys::esrch: return "no such process";
    case sys::eperm: return "not the shell's child";
    case sys::echild: return "no job";
    default: return "failed";
    }
}

} // namespace sh

int main() {
    // The console is the shell's from now on: Ctrl-C at its prompt interrupts its read.
    if (long r = set_foreground(0); r < 0) printf("sh: the console is another's (%s)\n", sh::error_text(r));
    sh::session();
    sh::end_all_jobs();
    return 0;
}
