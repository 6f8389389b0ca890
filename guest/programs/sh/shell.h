// sh: a shell on the console. A line names a program from the archive and its
// arguments ("heapgrow 4"), run in the foreground (Ctrl-C ends it) or, with a final
// '&', as a background job; a few words are the shell's own (builtins.cpp, `help`).
#pragma once
#include "cocoon.h"
#include "cocoon/trace.h"

namespace sh {

namespace sys = cocoon::sys;
namespace trace = cocoon::trace;

// A command line, split: the first word, the rest (trimmed), and whether it ended in '&'.
struct Command {
    const char* name;
    const char* args;
    bool background;
};
// Splits `line` in place; false for a line with no word.
bool parse(char* line, Command& out);

// What a system call's error means, in words.
const char* error_text(long error);

// jobs.cpp: the programs the shell started.
void run_foreground(const Command& c);
void run_background(const Command& c);
void report_ended_jobs();  // the jobs that ended since the last prompt
void list_jobs();
void kill_job(int pid);    // and waits for its end
void wait_for_jobs();      // every background job, until Ctrl-C
void end_all_jobs();       // when the shell exits

// builtins.cpp: true if `c` was one (`exit` sets *exit_now).
bool run_builtin(const Command& c, bool* exit_now);

} // namespace sh
