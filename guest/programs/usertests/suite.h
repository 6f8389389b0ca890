// usertests: attacks and mistakes, each a case that prints one line,
//   usertests: <case>: ok            or
//   usertests: <case>: FAILED (<why>)
// and at the end "usertests: N of M passed"; the program exits 0 only if all passed.
// A case that must kill a process runs it as a child (the ut_child program, told by its
// arguments what to do) and reads the kill reason from wait; every case with a child
// also checks that the free frames came back to what they were before it.
#pragma once
#include "addresses.h"
#include "cocoon.h"
#include "cocoon/trace.h"

namespace ut {

namespace sys = cocoon::sys;
namespace trace = cocoon::trace;

// One case's verdict: ok, or failed and why (printf-style).
void pass(const char* name);
void fail(const char* name, const char* why, ...) __attribute__((format(printf, 2, 3)));
// A system call's result against the one wanted.
void expect_result(const char* name, long got, long want);

// A child (ut_child with `args`) run to its end.
struct Outcome {
    int pid;          // or -errno when spawn failed
    int status;       // what wait reported
    uint32_t reason;  // the kill reason (0: it exited)
    long frames_lost; // free frames before minus after
};
Outcome run_child(const char* args);
// Cases with a child: it must be killed for `reason` (or `also`, where CPUs differ), or
// exit with `status`; and give every frame back.
void expect_killed(const char* name, const char* args, uint32_t reason, uint32_t also = trace::kill_none);
void expect_exit(const char* name, const char* args, int status);

// The groups of cases, one file each.
void pointer_cases();   // pointers.cpp: every bad pointer for every pointer-taking call
void kill_cases();      // kills.cpp: memory, privileged instructions, forged returns
void limit_cases();     // limits.cpp: sbrk, the process table, RAM, syscall numbers

} // namespace ut
