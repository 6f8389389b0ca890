// The shell's jobs: a foreground program has the console's Ctrl-C and the shell waits
// for it; a background one runs on, and its end is reported at the next prompt (or by
// `wait` and `kill`), with how it ended.
#include "shell.h"

namespace sh {
namespace {

struct Job {
    int number;  // [1], [2], ...: the smallest free
    int pid;
    char command[64];
};

constexpr int max_jobs = 16;
Job jobs[max_jobs];

// The job of `pid`; with 0, a free entry.
Job* find_job(int pid) {
    for (Job& j : jobs)
        if (pid ? j.number && j.pid == pid : !j.number) return &j;
    return nullptr;
}

bool number_taken(int number) {
    for (const Job& j : jobs)
        if (j.number == number) return true;
    return false;
}

int free_number() {
    int number = 1;
    while (number_taken(number)) ++number;
    return number;
}

// "exited 0", "killed: interrupted (Ctrl-C)".
void describe_end(char* out, size_t size, int status, uint32_t reason) {
    if (reason) snprintf(out, size, "killed: %s", trace::kill_reason_text(reason));
    else snprintf(out, size, "exited %d", status);
}

void report_end(int pid, int status, uint32_t reason) {
    char how[64];
    describe_end(how, sizeof how, status, reason);
    if (Job* j = find_job(pid)) {
        printf("[%d] %d %s: %s\n", j->number, pid, j->command, how);
        j->number = 0;
    } else {
        printf("sh: pid %d %s\n", pid, how);
    }
}

void spawn_error(const Command& c, long error) { printf("sh: %s: %s\n", c.name, error_text(error)); }

} // namespace

void run_foreground(const Command& c) {
    int pid = spawn(c.name, c.args);
    if (pid < 0) return spawn_error(c, pid);
    set_foreground(pid);
    int status = 0;
    uint32_t reason = 0;
    while (wait(pid, &status, &reason) == -sys::eintr) {
    }
    set_foreground(0);
    console_mode(sys::console_cooked);  // whatever mode the program left the console in
    char how[64];
    describe_end(how, sizeof how, status, reason);
    if (status || reason) printf("sh: %s %s\n", c.name, how);
}

void run_background(const Command& c) {
    Job* slot = find_job(0);
    if (!slot) {
        printf("sh: %d jobs already\n", max_jobs);
        return;
    }
    int pid = spawn(c.name, c.args);
    if (pid < 0) return spawn_error(c, pid);
    *slot = {free_number(), pid, {}};
    snprintf(slot->command, sizeof slot->command, *c.args ? "%s %s" : "%s", c.name, c.args);
    printf("[%d] %d\n", slot->number, pid);
}

void report_ended_jobs() {
    int status = 0;
    uint32_t reason = 0;
    for (int pid; (pid = wait(-1, &status, &reason, sys::wait_nohang)) > 0;) report_end(pid, status, reason);
}

void list_jobs() {
    for (const Job& j : jobs)
        if (j.number) printf("[%d] %d %s\n", j.number, j.pid, j.command);
}

void kill_job(int pid) {
    if (long r = kill(pid); r < 0) {
        printf("sh: kill %d: %s\n", pid, error_text(r));
        return;
    }
    int status = 0;
    uint32_t reason = 0;
    if (wait(pid, &status, &reason) == pid) report_end(pid, status, reason);
}

void wait_for_jobs() {
    int status = 0;
    uint32_t reason = 0;
    for (;;) {
        int pid = wait(-1, &status, &reason);
        if (pid == -sys::eintr) printf("sh: wait interrupted\n");
        if (pid <= 0) return;
        report_end(pid, status, reason);
    }
}

void end_all_jobs() {
    for (const Job& j : jobs)
        if (j.number) kill(j.pid);
    int status = 0;
    while (wait(-1, &status) > 0) {
    }
}

} // namespace sh
