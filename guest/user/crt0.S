/* Program entry: the kernel starts us at _start with a 16-byte aligned stack. */
    .section .text.start, "ax"
    .globl _start
_start:
    xor %ebp, %ebp
    call main
    mov %eax, %edi
    xor %eax, %eax              /* SYS exit */
    syscall
1:  jmp 1b

    .section .note.GNU-stack, "", @progbits
