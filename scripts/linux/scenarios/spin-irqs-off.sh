# A guest that spins with interrupts off: the module turns them off in its init and never
# returns (tests/kvm/linux_guest_test.cpp: cocoon's --timeout ends the run all the same).
insmod /lib/modules/extra/spin_irqs_off.ko
