// The shell's own commands: what it knows about its jobs and what it asks the kernel.
#include "shell.h"

namespace sh {
namespace {

void help() {
    printf("PROGRAM [ARGS] [&]  run a program from the archive (& in the background; Ctrl-C ends one in front)\n"
           "jobs                the background jobs\n"
           "ps                  every process: state, CPU time, pages; the CPU's utilization\n"
           "kill PID            end a job\n"
           "wait                wait for every background job (Ctrl-C stops waiting)\n"
           "mem                 free memory, swap, console input dropped\n"
           "quantum [MS]        the scheduler's time slice: show it, or change it now\n"
           "help, exit          this, and the end (Ctrl-D too)\n");
}

// Busy time as a percentage of `elapsed`, from the kernel's idle time.
uint64_t busy_percent(uint64_t idle_us, uint64_t elapsed_us) {
    return elapsed_us ? (elapsed_us - idle_us) * 100 / elapsed_us : 0;
}

void ps() {
    static sys::ProcessInfo list[64];
    long n = process_list(list, 64);
    sys::SystemInfo info{};
    system_info(&info);
    printf("  PID  PPID STATE      CPU ms  PAGES TABLES NAME\n");
    for (long i = 0; i < n; ++i) {
        const sys::ProcessInfo& p = list[i];
        printf("%5d %5d %-8s %8lu %6lu %6lu %s\n", p.pid, p.parent, sys::process_state_name(p.state),
               p.cpu_us / 1000, p.pages, p.table_pages, p.name);
    }
    printf("CPU busy %lu%% of %lu ms since boot (idle %lu ms); scheduler %s, quantum %u ms\n",
           busy_percent(info.idle_us, info.uptime_us), info.uptime_us / 1000, info.idle_us / 1000,
           sys::scheduler_name(info.scheduler), info.quantum_ms);
}

void mem() {
    sys::SystemInfo info{};
    system_info(&info);
    printf("memory: %lu of %lu frames free (%lu KiB of %lu KiB)\n", info.frames_free, info.frames_total,
           info.frames_free * 4, info.frames_total * 4);
    if (info.swap_slots_total) printf("swap: %lu of %lu slots used\n", info.swap_slots_used, info.swap_slots_total);
    else printf("swap: none\n");
    printf("console input dropped: %lu bytes (lines cut at the line buffer's end)\n", info.input_dropped);
}

void quantum(const char* args) {
    if (!*args) {
        printf("quantum %ld ms\n", set_quantum(0));
        return;
    }
    uint64_t ms = parse_number(args);
    long before = ms ? set_quantum(ms) : -sys::einval;
    if (before < 0) printf("sh: quantum: 1 to %lu ms\n", sys::max_quantum_ms);
    else printf("quantum %lu ms (was %ld ms)\n", ms, before);
}

void kill_command(const char* args) {
    if (*args < '0' || *args > '9') printf("sh: kill PID\n");
    else kill_job(static_cast<int>(parse_number(args)));
}

} // namespace

bool run_builtin(const Command& c, bool* exit_now) {
    const char* name = c.name;
    if (strcmp(name, "exit") == 0) *exit_now = true;
    else if (strcmp(name, "help") == 0) help();
    else if (strcmp(name, "jobs") == 0) list_jobs();
    else if (strcmp(name, "ps") == 0) ps();
    else if (strcmp(name, "mem") == 0) mem();
    else if (strcmp(name, "quantum") == 0) quantum(c.args);
    else if (strcmp(name, "kill") == 0) kill_command(c.args);
    else if (strcmp(name, "wait") == 0) wait_for_jobs();
    else return false;
    return true;
}

} // namespace sh
