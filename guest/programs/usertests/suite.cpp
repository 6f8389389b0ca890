// usertests: the verdicts, children, and main.
#include "suite.h"

namespace ut {
namespace {

int passed = 0, total = 0;

// Our own stack pages are touched once, here, so that no later case grows them: free
// frame counts then move only with what the kernel does for children.
[[gnu::noinline]] void prefault_stack() {
    volatile char area[64 << 10];
    for (size_t i = 0; i < sizeof area; i += 4096) area[i] = 0;
}

} // namespace

void pass(const char* name) {
    ++total;
    ++passed;
    printf("usertests: %s: ok\n", name);
}

void fail(const char* name, const char* why, ...) {
    ++total;
    char text[160];
    va_list args;
    va_start(args, why);
    vsnprintf(text, sizeof text, why, args);
    va_end(args);
    printf("usertests: %s: FAILED (%s)\n", name, text);
}

void expect_result(const char* name, long got, long want) {
    if (got == want) pass(name);
    else fail(name, "returned %ld, wanted %ld", got, want);
}

Outcome run_child(const char* args) {
    Outcome o{};
    long before = frames_free();
    o.pid = spawn("ut_child", args);
    if (o.pid < 0) return o;
    o.status = -99;
    int ended = wait(o.pid, &o.status, &o.reason);
    if (ended != o.pid) o.pid = ended < 0 ? ended : -1;
    o.frames_lost = before - frames_free();
    return o;
}

// True, with the case reported failed, when the child could not be run and waited for
// or did not give all its frames back.
static bool child_trouble(const char* name, const Outcome& o) {
    if (o.pid < 0) fail(name, "spawn or wait returned %d", o.pid);
    else if (o.frames_lost) fail(name, "%ld frames not given back", o.frames_lost);
    else return false;
    return true;
}

void expect_killed(const char* name, const char* args, uint32_t reason, uint32_t also) {
    Outcome o = run_child(args);
    if (child_trouble(name, o)) return;
    if ((o.reason == reason || (also && o.reason == also)) && o.status == -1) pass(name);
    else if (!o.reason) fail(name, "not killed: exited with %d", o.status);
    else fail(name, "killed for '%s' (status %d)", trace::kill_reason_text(o.reason), o.status);
}

void expect_exit(const char* name, const char* args, int status) {
    Outcome o = run_child(args);
    if (child_trouble(name, o)) return;
    if (o.reason) fail(name, "killed for '%s'", trace::kill_reason_text(o.reason));
    else if (o.status != status) fail(name, "exited with %d, wanted %d", o.status, status);
    else pass(name);
}

} // namespace ut

int main() {
    ut::prefault_stack();
    ut::pointer_cases();
    ut::kill_cases();
    ut::limit_cases();
    printf("usertests: %d of %d passed\n", ut::passed, ut::total);
    return ut::passed == ut::total ? 0 : 1;
}
