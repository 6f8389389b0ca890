// Limits: the heap's bounds, system call numbers, a full process table, orphans, RAM
// running out, and flags carried into the kernel.
#include "suite.h"

namespace ut {
namespace {

constexpr long enomem = -sys::enomem;

long as_long(void* p) { return reinterpret_cast<long>(p); }

// sbrk refuses with ENOMEM; brk, asked for an end it refuses, answers the unchanged end.
void sbrk_cases() {
    constexpr int size = 8192;
    auto* heap = static_cast<uint8_t*>(sbrk(size));
    for (int i = 0; i < size; ++i) heap[i] = static_cast<uint8_t>(i * 13 + 1);
    long end = as_long(sbrk(0));
    expect_result("sbrk(below the heap start)", as_long(sbrk(-(intptr_t{1} << 30))), enomem);
    expect_result("sbrk(more than the user half)", as_long(sbrk(intptr_t{1} << 47)), enomem);
    expect_result("sbrk(overflowing up)", as_long(sbrk(INTPTR_MAX)), enomem);
    expect_result("sbrk(overflowing down)", as_long(sbrk(INTPTR_MIN)), enomem);
    expect_result("brk(kernel half)", as_long(brk(reinterpret_cast<void*>(kernel_image))), end);
    expect_result("brk(below the heap start)", as_long(brk(reinterpret_cast<void*>(0x1000))), end);
    int bad = 0;
    for (int i = 0; i < size; ++i) bad += heap[i] != static_cast<uint8_t>(i * 13 + 1);
    if (as_long(sbrk(0)) != end || bad) fail("sbrk(heap intact after refusals)", "end %lx, %d bad bytes", as_long(sbrk(0)), bad);
    else pass("sbrk(heap intact after refusals)");

    long before = frames_free();
    sbrk(-size);
    expect_result("sbrk(shrinking gives its frames back)", frames_free() - before, size / 4096);
    heap = static_cast<uint8_t*>(sbrk(size));
    bad = 0;
    for (int i = 0; i < size; ++i) bad += heap[i] != 0;
    expect_result("sbrk(regrown heap is zeroed)", bad, 0);
    sbrk(-size);

    // The whole heap range, up to the guard gap (128 TiB), grown, touched at both ends and
    // the middle, and given back: the shrink costs what was mapped (page by page over the
    // range it would hold the CPU for hours), and the page tables it empties go too.
    before = frames_free();
    auto* base = static_cast<uint8_t*>(sbrk(0));
    intptr_t span = static_cast<intptr_t>(guard_gap - reinterpret_cast<uint64_t>(base));
    if (sbrk(span) != base) {
        fail("sbrk(up to the guard gap and back)", "growing to the gap refused");
    } else {
        base[0] = base[span / 2] = base[span - 1] = 1;
        sbrk(-span);
        expect_result("sbrk(up to the guard gap and back: every page and table freed)", before - frames_free(), 0);
    }
    expect_result("sbrk(one byte into the guard gap)", as_long(sbrk(span + 1)), enomem);
}

// ELFs the loader must refuse (guest/misfits/): nothing of them is mapped or kept.
void misfit_cases() {
    const struct {
        const char* name;
        const char* program;
        long error;
    } misfits[] = {
        {"spawn(a segment in the stack's guard gap: EINVAL)", "misfit-guard-gap", -sys::einval},
        {"spawn(a segment in the stack's range: EINVAL)", "misfit-stack", -sys::einval},
        {"spawn(two segments on one page: EINVAL)", "misfit-shared-page", -sys::einval},
        {"spawn(two segments at the same addresses: EINVAL)", "misfit-overlap", -sys::einval},
        {"spawn(a bss of 1 TiB: ENOMEM before any work)", "misfit-huge-bss", -sys::enomem},
    };
    for (const auto& m : misfits) {
        long before = frames_free();
        int pid = spawn(m.program, "");
        int status = -1;
        if (pid > 0) wait(pid, &status);
        if (pid != m.error) fail(m.name, "spawn returned %d (exit status %d), wanted %ld", pid, status, m.error);
        else if (long lost = before - frames_free()) fail(m.name, "%ld frames gone", lost);
        else pass(m.name);
    }
}

void syscall_number_cases() {
    const struct {
        const char* name;
        uint64_t number;
    } numbers[] = {
        {"syscall(first unused number)", sys::count},
        {"syscall(1000)", 1000},
        {"syscall(2^32 + write)", (uint64_t{1} << 32) + sys::write},  // no truncation to 32 bits
        {"syscall(-1)", ~uint64_t{0}},
        {"syscall(2^63)", uint64_t{1} << 63},
    };
    for (const auto& n : numbers)
        expect_result(n.name, syscall6(n.number, 1, reinterpret_cast<uint64_t>("x\n"), 2, 0, 0, 0), -sys::enosys);
}

// How many children can exist at once: quiet ones are spawned until the kernel refuses
// (its error in `*refusal`), then all reaped (false if one could not be).
int capacity(long* refusal, bool* reaped) {
    static int pids[128];
    int count = 0;
    for (;;) {
        int pid = spawn("ut_child", "exit 0");
        if (pid < 0 || count == 128) {
            *refusal = pid;
            break;
        }
        pids[count++] = pid;
    }
    *reaped = true;
    for (int i = 0; i < count; ++i) {
        int status = -1;
        if (wait(pids[i], &status) != pids[i] || status != 0) *reaped = false;
    }
    return count;
}

int table_cases() {
    long before = frames_free();
    long refusal = 0;
    bool reaped = false;
    int count = capacity(&refusal, &reaped);
    expect_result("process table full(spawn refused with EAGAIN)", refusal, -sys::eagain);
    if (reaped) pass("process table full(every child reaped)");
    else fail("process table full(every child reaped)", "a wait failed among %d children", count);
    if (long lost = before - frames_free()) fail("process table full(frames back)", "%ld frames gone", lost);
    else pass("process table full(frames back)");
    expect_exit("process table full(spawn works again)", "exit 0", 0);
    return count;
}

// Children whose parent ends first (some already ended, some not yet) must not keep
// their table slots or frames forever.
void orphan_cases(int capacity_before) {
    long before = frames_free();
    int maker = spawn("ut_child", "orphans");
    int status = -1;
    if (wait(maker, &status) != maker || status != 0) fail("orphans(their parent exits)", "status %d", status);
    else pass("orphans(their parent exits)");
    for (int i = 0; i < 100 && frames_free() != before; ++i) sleep_ms(20);  // the late ones end
    if (long lost = before - frames_free()) fail("orphans(frames back)", "%ld frames gone", lost);
    else pass("orphans(frames back)");
    long refusal = 0;
    bool reaped = false;
    int count = capacity(&refusal, &reaped);
    if (count == capacity_before && reaped) pass("orphans(their table slots are free again)");
    else fail("orphans(their table slots are free again)", "%d children fit, %d before", count, capacity_before);
}

// A process that minds its own memory while others are killed around it.
void bystander_case() {
    const char* name = "bystander(unharmed by the killings around it)";
    long before = frames_free();
    int bystander = spawn("ut_child", "bystander");
    const char* killers[] = {"read-kernel", "write-code", "exec-stack", "hlt", "null-write", "stack-overflow"};
    int pids[6];
    for (int i = 0; i < 6; ++i) pids[i] = spawn("ut_child", killers[i]);
    int killed = 0, status = -1;
    for (int pid : pids) {
        uint32_t reason = 0;
        if (pid > 0 && wait(pid, nullptr, &reason) == pid && reason) ++killed;
    }
    bool survived = bystander > 0 && wait(bystander, &status) == bystander && status == 0;
    long lost = before - frames_free();
    if (!survived || killed != 6 || lost) fail(name, "status %d, %d of 6 killed, %ld frames gone", status, killed, lost);
    else pass(name);
}

// A child that would sleep for ten minutes: a bystander finishes beside it, its parent
// ends it (waking it), nobody else can.
void kill_case() {
    const char* name = "kill(a sleeping child ends by its parent's hand, and only its parent's)";
    long before = frames_free();
    int sleeper = spawn("ut_child", "sleep 600000");
    int bystander = spawn("ut_child", "bystander");
    int status = -1;
    uint32_t reason = 0;
    bool finished = bystander > 0 && wait(bystander, &status) == bystander && status == 0;
    long not_mine = kill(1);  // the kernel started usertests: pid 1 is not its child
    long killed = kill(sleeper);
    bool ended = wait(sleeper, &status, &reason) == sleeper && reason == trace::kill_by_parent;
    long again = kill(sleeper);
    long lost = before - frames_free();
    if (!finished || killed || !ended || not_mine != -sys::eperm || again != -sys::esrch || lost)
        fail(name, "bystander %s, kill %ld, ended %d (reason %u), kill of pid 1 %ld, again %ld, %ld frames gone",
             finished ? "finished" : "did not finish", killed, ended, reason, not_mine, again, lost);
    else
        pass(name);
}

// A child killed before it first runs ends without running: it once entered user mode
// past the killed check and slept its ten minutes before anything ended it.
void kill_before_first_run_case() {
    const char* name = "kill(before the child's first run: it ends without running)";
    int sleeper = spawn("ut_child", "sleep 600000");  // spawn does not give up the CPU
    long killed = kill(sleeper);
    uint32_t reason = 0;
    bool ended = wait(sleeper, nullptr, &reason) == sleeper && reason == trace::kill_by_parent;
    if (killed || !ended) fail(name, "kill %ld, ended %d (reason %u)", killed, ended, reason);
    else pass(name);
}

// Pids are ints: 2^32 + a child's pid names no process, for kill and wait alike (kill
// once truncated it and ended the child).
void pid_width_case() {
    const char* name = "kill and wait(2^32 + a child's pid names no process)";
    int child = spawn("ut_child", "sleep 600000");
    uint64_t wide = (uint64_t{1} << 32) + static_cast<uint64_t>(child);
    long killed = syscall6(sys::kill, wide, 0, 0, 0, 0, 0);
    long waited = syscall6(sys::wait, wide, 0, 0, 0, 0, 0);
    long real = kill(child);
    uint32_t reason = 0;
    bool ended = wait(child, nullptr, &reason) == child && reason == trace::kill_by_parent;
    if (killed != -sys::esrch || waited != -sys::echild || real || !ended)
        fail(name, "kill %ld, wait %ld, then kill of the child %ld, ended %d", killed, waited, real, ended);
    else
        pass(name);
}

// A child that spins forever without a system call: the timer takes the CPU from it,
// so a bystander that sleeps and works beside it finishes; then its parent ends it.
void spinner_case() {
    const char* name = "spin-forever(preempted: the others finish; its parent ends it)";
    long before = frames_free();
    int spinner = spawn("ut_child", "spin-forever");
    int bystander = spawn("ut_child", "bystander");
    int status = -1;
    uint32_t reason = 0;
    bool finished = bystander > 0 && wait(bystander, &status) == bystander && status == 0;
    long killed = kill(spinner);
    bool ended = wait(spinner, &status, &reason) == spinner && reason == trace::kill_by_parent;
    long lost = before - frames_free();
    if (!finished || killed || !ended || lost)
        fail(name, "bystander %s, kill %ld, ended %d (reason %u), %ld frames gone",
             finished ? "finished" : "did not finish", killed, ended, reason, lost);
    else
        pass(name);
}

// Values the console's and the scheduler's calls refuse. (usertests does not take the
// console: the case that would, set_foreground(0), is left out.)
void argument_cases() {
    long quantum = set_quantum(0);
    expect_result("set_quantum(0 asks, changing nothing)", set_quantum(0), quantum);
    expect_result("set_quantum(past the most)", set_quantum(sys::max_quantum_ms + 1), -sys::einval);
    expect_result("set_quantum(2^32 + 5)", set_quantum((uint64_t{1} << 32) + 5), -sys::einval);
    expect_result("console_mode(no such mode)", console_mode(7), -sys::einval);
    expect_result("wait(an unknown flag)", wait(-1, nullptr, nullptr, 2), -sys::einval);
    expect_result("set_foreground(itself: not its own child)", set_foreground(getpid()), -sys::eperm);
    expect_result("set_foreground(no such process)", set_foreground(999999), -sys::esrch);
    expect_result("set_foreground(2^32 + its pid)",
                  syscall6(sys::set_foreground, (uint64_t{1} << 32) + static_cast<uint64_t>(getpid()), 0, 0, 0, 0, 0),
                  -sys::esrch);
}

// What the kernel lists for `pid` (all zero when it is not there).
sys::ProcessInfo info_of(int pid) {
    static sys::ProcessInfo list[64];
    long n = process_list(list, 64);
    for (long i = 0; i < n; ++i)
        if (list[i].pid == pid) return list[i];
    return {};
}

// A read asked for more heap than RAM holds supplies 1 MiB of it at most, then blocks
// for the console's input (there is none) until its parent ends it.
void read_hog_case() {
    const char* name = "read(more than RAM: 1 MiB supplied at most, then it waits for input)";
    long before = frames_free();
    int hog = spawn("ut_child", "read-hog");
    sys::ProcessInfo seen{};
    for (int tries = 0; tries < 500 && seen.state != sys::state_input; ++tries) {
        sleep_ms(10);
        seen = info_of(hog);
    }
    long killed = kill(hog);
    uint32_t reason = 0;
    bool ended = wait(hog, nullptr, &reason) == hog && reason == trace::kill_by_parent;
    long lost = before - frames_free();
    constexpr uint64_t most = 256 + 64;  // the 1 MiB, and the program's own pages
    if (seen.state != sys::state_input || seen.pages > most || killed || !ended || lost)
        fail(name, "state %s, %lu pages, kill %ld, ended %d (reason %u), %ld frames gone",
             sys::process_state_name(seen.state), seen.pages, killed, ended, reason, lost);
    else
        pass(name);
}

// The x87 registers are part of each process's state, saved and restored with it.
void x87_case() {
    const char* name = "x87 registers(private to each process)";
    long before = frames_free();
    int keeper = spawn("ut_child", "x87-keeper");
    int probe = spawn("ut_child", "x87-probe");
    // The keeper exits 1 if its value changed, the probe if it found registers in use.
    int kept = -1, probed = -1;
    wait(keeper, &kept);
    wait(probe, &probed);
    long lost = before - frames_free();
    if (kept || probed || lost) fail(name, "keeper status %d, probe status %d, %ld frames gone", kept, probed, lost);
    else pass(name);
}

} // namespace

void limit_cases() {
    sbrk_cases();
    syscall_number_cases();
    expect_exit("exit(-5) seen by wait", "exit -5", -5);
    int capacity = table_cases();
    orphan_cases(capacity);
    bystander_case();
    kill_case();
    kill_before_first_run_case();
    pid_width_case();
    spinner_case();
    x87_case();
    expect_exit("nt-flag(NT set across a system call)", "nt-flag", 0);
    expect_exit("direction-flag(DF set across faults and ticks)", "direction-flag", 0);
    read_hog_case();
    argument_cases();
    misfit_cases();
    expect_killed("hog killed (out of memory)", "hog", trace::kill_out_of_memory);
}

} // namespace ut
