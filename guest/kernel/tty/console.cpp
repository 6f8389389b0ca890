#include "kernel/tty/console.h"

#include "cocoon/platform.h"
#include "cocoon/syscalls.h"
#include "cocoon/trace.h"
#include "kernel/arch/console.h"
#include "kernel/arch/timer.h"
#include "kernel/proc/process.h"

namespace kernel::tty {
namespace {

namespace sys = cocoon::sys;

struct ConsoleEcho final : Echo {
    void write(const char* text, size_t length) override { console_write(text, length); }
};

ConsoleEcho echo;
LineDiscipline line(echo);
bool receiving = false;  // the UART's receive interrupt is on
int controller = 0;      // the process that set the foreground (the shell), or 0
int foreground = 0;      // the controller's job that Ctrl-C kills; 0: Ctrl-C interrupts the controller

proc::Process* live(int pid) {
    proc::Process* p = proc::find(pid);
    return p && p->state != proc::State::zombie ? p : nullptr;
}

void interrupt_key() {
    if (proc::Process* job = live(foreground)) proc::kill(*job, cocoon::trace::kill_interrupted);
    else if (proc::Process* shell = live(controller)) proc::interrupt(*shell);
}

// Takes what the UART holds while the line discipline has room. Without room the rest
// stays in the UART with its interrupt off until a reader makes some: cocoon's UART,
// or QEMU's and the host's pipe behind it, keeps what comes meanwhile.
void drain() {
    while (line.can_take() && console_byte_waiting())
        if (line.receive(console_read_byte()) == LineDiscipline::Event::interrupt) interrupt_key();
    if (line.readable()) proc::wake_all(&line);
    bool room = line.can_take();
    if (room != receiving) console_receive_interrupt(receiving = room);
}

} // namespace

void init() {
    timer::unmask_irq(cocoon::platform::uart_irq);
    drain();  // what came before the kernel listened, and the interrupt on
}

void on_interrupt() { drain(); }

int64_t wait_for_input() {
    proc::Process& me = *proc::current();
    while (!line.readable()) {
        if (me.kill_pending) return -sys::eintr;  // it ends on its way out
        if (proc::take_interrupt(me)) return -sys::eintr;
        proc::sleep_on(&line, proc::State::reading);
    }
    return 0;
}

bool input_ready() { return line.readable(); }

uint64_t read_input(char* out, uint64_t size) {
    uint64_t n = line.read(out, size);
    if (!receiving) drain();
    return n;
}

int64_t set_foreground(int pid) {
    proc::Process& me = *proc::current();
    if (proc::Process* owner = live(controller); owner && owner != &me) return -sys::eperm;
    if (pid != 0) {
        proc::Process* job = live(pid);
        if (!job) return -sys::esrch;
        if (job->parent != me.pid) return -sys::eperm;
    }
    controller = me.pid;
    foreground = pid;
    return 0;
}

Mode set_mode(Mode mode) {
    Mode before = line.mode();
    line.set_mode(mode);
    if (line.readable()) proc::wake_all(&line);  // a line half typed, now a raw reader's
    return before;
}

uint64_t dropped() { return line.dropped(); }

} // namespace kernel::tty
