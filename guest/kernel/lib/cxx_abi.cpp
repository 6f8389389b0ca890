// What the compiler's C++ ABI asks of the kernel: a pure virtual function called
// through a half-built object stops the CPU.
extern "C" void __cxa_pure_virtual() {
    for (;;) asm volatile("cli; hlt");
}
