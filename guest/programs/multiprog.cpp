// Multiprogramming, shown: an I/O-bound job and two CPU-bound ones, run one after
// another and then all at once. For each way it prints the time taken and how busy the
// CPU was (from the kernel's idle time): while the I/O-bound job waits, a CPU-bound one
// can run. `multiprog disk` waits on disk 0 instead of sleeping (on page-cached images
// a read is quick, so the I/O-bound job is less so).
#include "cocoon.h"

namespace {

namespace sys = cocoon::sys;

constexpr int io_rounds = 40;        // of a burst of work and a wait
constexpr uint64_t io_work_ms = 1;
constexpr uint64_t io_wait_ms = 10;  // standing for a disk's access time
constexpr uint64_t cpu_work_ms = 200;
constexpr int cpu_jobs = 2;

void work(uint64_t units) {
    volatile uint64_t sum = 0;
    for (uint64_t i = 0; i < units; ++i) sum = sum + i;
}

// Units of work() in 1 ms of CPU, measured over 50 ms before any job starts (in
// chunks long enough that reading the clock costs next to nothing).
uint64_t units_per_ms() {
    constexpr uint64_t chunk = 200000, span_ms = 50;
    uint64_t chunks = 0;
    for (uint64_t until = uptime_ms() + span_ms; uptime_ms() < until; ++chunks) work(chunk);
    return chunks * chunk / span_ms;
}

// The I/O-bound job: "io ROUNDS UNITS WAIT" with WAIT "disk" or a number of ms.
int io_job(const char* args) {
    uint64_t rounds = parse_number(args);
    uint64_t units = parse_number(next_word(args));
    const char* wait_on = next_word(next_word(args));
    static char sector[4096];
    for (uint64_t r = 0; r < rounds; ++r) {
        work(units);
        if (starts_with(wait_on, "disk")) disk_read(0, (r * 8) % 1024, sector, sizeof sector);
        else sleep_ms(parse_number(wait_on));
    }
    return 0;
}

struct Way {
    uint64_t elapsed_us, busy_us;
};

// Runs the jobs, all at once or each after the one before, and measures.
Way run(bool together, uint64_t per_ms, const char* io_wait) {
    char io_args[64], cpu_args[32];
    snprintf(io_args, sizeof io_args, "io %d %lu %s", io_rounds, io_work_ms * per_ms, io_wait);
    snprintf(cpu_args, sizeof cpu_args, "cpu %lu", cpu_work_ms * per_ms);
    sys::SystemInfo before{}, after{};
    system_info(&before);
    int status = 0;
    for (int job = 0; job <= cpu_jobs; ++job) {
        spawn("multiprog", job == 0 ? io_args : cpu_args);
        if (!together) wait(-1, &status);
    }
    while (wait(-1, &status) > 0) {
    }
    system_info(&after);
    uint64_t elapsed = after.uptime_us - before.uptime_us;
    return {elapsed, elapsed - (after.idle_us - before.idle_us)};
}

void report(const char* way, Way w) {
    printf("multiprog: %-18s %5lu ms, CPU busy %lu%%\n", way, w.elapsed_us / 1000,
           w.elapsed_us ? w.busy_us * 100 / w.elapsed_us : 0);
}

} // namespace

int main() {
    const char* args = program_args();
    if (starts_with(args, "cpu ")) {
        work(parse_number(next_word(args)));
        return 0;
    }
    if (starts_with(args, "io ")) return io_job(next_word(args));

    bool disk = starts_with(args, "disk") && disk_sectors(0) > 0;
    char io_wait[16] = "disk", io_what[48] = "a 4 KiB read from disk 0";
    if (!disk) {
        snprintf(io_wait, sizeof io_wait, "%lu", io_wait_ms);
        snprintf(io_what, sizeof io_what, "a %lu ms sleep standing for a disk", io_wait_ms);
    }
    sys::SystemInfo info{};
    system_info(&info);
    printf("multiprog: an I/O-bound job (%d rounds of %lu ms of work and %s) and %d CPU-bound jobs (%lu ms of "
           "work each); scheduler %s, quantum %u ms\n",
           io_rounds, io_work_ms, io_what, cpu_jobs, cpu_work_ms, sys::scheduler_name(info.scheduler),
           info.quantum_ms);
    uint64_t per_ms = units_per_ms();
    report("one after another:", run(false, per_ms, io_wait));
    report("all together:", run(true, per_ms, io_wait));
    return 0;
}
