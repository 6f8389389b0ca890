/* Trap entry: one stub per vector pushes (a zero error code when the CPU pushes none
 * and) the vector, then trap_common saves the general registers as a TrapFrame and
 * calls trap(frame). Returning pops it all and irets. The syscall instruction enters
 * at syscall_entry, which builds the same frame on the process's kernel stack and
 * leaves by sysretq. */
    .section .text

/* Offsets in a TrapFrame (kernel/arch/cpu.h): 15 registers, vector, error code. */
    .set FRAME_RIP, 17 * 8
    .set FRAME_CS, 18 * 8

.macro SAVE_REGS
    push %rax; push %rbx; push %rcx; push %rdx; push %rsi; push %rdi; push %rbp
    push %r8; push %r9; push %r10; push %r11; push %r12; push %r13; push %r14; push %r15
.endm

trap_common:
    cld                         /* the C ABI's DF=0; the user's DF is in the frame */
    SAVE_REGS
    mov %rsp, %rdi
    call trap
    .globl trap_return
trap_return:
    pop %r15; pop %r14; pop %r13; pop %r12; pop %r11; pop %r10; pop %r9; pop %r8
    pop %rbp; pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rbx; pop %rax
    add $16, %rsp
    iretq

/* A new process's first switch "returns" here, onto the frame spawn built: a process
 * its parent killed before it ever ran ends now, as on every other way to user mode. */
    .globl first_return
first_return:
    call first_return_check     /* the frame is 16-byte aligned: the call keeps the ABI's */
    jmp trap_return

.macro STUB n
    .p2align 4
stub_\n:
    .if (\n == 8 || (\n >= 10 && \n <= 14) || \n == 17 || \n == 21 || \n == 29 || \n == 30)
    .else
    pushq $0
    .endif
    pushq $\n
    jmp trap_common
.endm

    .altmacro
    .set i, 0
    .rept 256
    STUB %i
    .set i, i + 1
    .endr

.macro STUB_ADDRESS n
    .quad stub_\n
.endm
    .section .rodata
    .p2align 3
    .globl isr_table
isr_table:
    .set i, 0
    .rept 256
    STUB_ADDRESS %i
    .set i, i + 1
    .endr

    .section .data
    .globl syscall_kernel_stack
syscall_kernel_stack: .quad 0
syscall_user_rsp: .quad 0

    .section .text
    .globl syscall_entry
syscall_entry:
    mov %rsp, syscall_user_rsp(%rip)
    mov syscall_kernel_stack(%rip), %rsp
    pushq $0x1b                 /* user SS: 0x18 | 3 */
    pushq syscall_user_rsp(%rip)
    push %r11                   /* user RFLAGS */
    pushq $0x23                 /* user CS: 0x20 | 3 */
    push %rcx                   /* user RIP */
    pushq $0                    /* error code */
    pushq $0x80                 /* "vector": a system call */
    SAVE_REGS
    mov %rsp, %rdi
    call trap
    /* Back with sysretq when the frame still returns to 64-bit user code at a
     * user-half RIP. Anything else (a frame the kernel rewrote) leaves by iretq:
     * sysret to a non-canonical RIP faults in ring 0 on the user's stack. */
    cli
    cmpq $0x23, FRAME_CS(%rsp)
    jne trap_return
    movabs $0x00007fffffffffff, %rax
    cmp %rax, FRAME_RIP(%rsp)
    ja trap_return
    pop %r15; pop %r14; pop %r13; pop %r12
    add $8, %rsp                /* r11: becomes the user's RFLAGS */
    pop %r10; pop %r9; pop %r8; pop %rbp; pop %rdi; pop %rsi; pop %rdx
    add $8, %rsp                /* rcx: becomes the user's RIP */
    pop %rbx; pop %rax
    add $16, %rsp               /* vector, error code */
    mov 0(%rsp), %rcx           /* RIP */
    mov 16(%rsp), %r11          /* RFLAGS */
    mov 24(%rsp), %rsp          /* the user's stack */
    sysretq

/* switch_context(&old_rsp, new_rsp): save callee-saved registers on this stack,
 * switch stacks, restore the other side's. */
    .globl switch_context
switch_context:
    push %rbp; push %rbx; push %r12; push %r13; push %r14; push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15; pop %r14; pop %r13; pop %r12; pop %rbx; pop %rbp
    ret

    .section .note.GNU-stack, "", @progbits
