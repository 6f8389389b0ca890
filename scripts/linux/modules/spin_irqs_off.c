// A module for the Linux guest's tests (scripts/linux/scenarios/spin-irqs-off.sh): it
// turns interrupts off and spins, the guest no timer tick or host interrupt can stop,
// which only the VMM's --timeout, SIGINT or SIGTERM ends.
#include <linux/module.h>
#include <linux/irqflags.h>
#include <asm/processor.h>

static int __init spin_irqs_off_init(void)
{
	pr_info("spin_irqs_off: spinning with interrupts off\n");
	local_irq_disable();
	for (;;)
		cpu_relax();
	return 0;
}
module_init(spin_irqs_off_init);
MODULE_DESCRIPTION("spin with interrupts off, for cocoon's tests");
MODULE_LICENSE("GPL");
