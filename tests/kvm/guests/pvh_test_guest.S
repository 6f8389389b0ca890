/*
 * Tiny PVH guests for cocoon's own tests: the PVH 32-bit entry, long mode on
 * identity-mapped 2 MiB pages over the first 4 GiB, then one behaviour chosen at
 * build time:
 *   GUEST_HELLO          print a line over the UART, exit 0
 *   GUEST_EXIT=N         print a line, exit N through port 0xf4
 *   GUEST_TRIPLE_FAULT   load an empty IDT and trap: a triple fault
 *   GUEST_UNCLAIMED      touch a port and MMIO nobody owns, report what it read, exit 0
 *   GUEST_SPIN           spin forever
 *   GUEST_ECHO           print "echo ready", then echo each byte read from COM1 as a
 *                        terminal's line discipline would (CR or LF as "\r\n", BS and
 *                        DEL as "\b \b", another control character as "^C"), until
 *                        Ctrl-D, which it does not echo: exit 0
 *   GUEST_C_MAIN         call guest_main(start_info) (freestanding C++ linked in, see
 *                        hostile/), exit with what it returns
 */
#define COM1 0x3f8
#define EXIT_PORT 0xf4

    .section .note.pvh, "a"
    .p2align 2
    .long 4, 4, 18              /* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .long pvh_start

    .section .text
    .code32
    .globl pvh_start
pvh_start:
    cld
    mov $stack_top, %esp
    mov %ebx, start_info        /* PVH: %ebx holds the hvm_start_info's address */
    /* PML4[0] -> PDPT; PDPT[0..3] -> four PDs of 512 2 MiB pages each. */
    mov $pdpt, %eax
    or $3, %eax
    mov %eax, pml4
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $12, %eax
    add $pds, %eax
    or $3, %eax
    mov %eax, pdpt(,%ecx,8)
    inc %ecx
    cmp $4, %ecx
    jne 1b
    xor %ecx, %ecx
2:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax              /* present, writable, 2 MiB */
    mov %eax, pds(,%ecx,8)
    mov %ecx, %eax
    shr $11, %eax               /* high half of the physical address */
    mov %eax, pds+4(,%ecx,8)
    inc %ecx
    cmp $2048, %ecx
    jne 2b

    mov %cr4, %eax
    or $0x20, %eax              /* PAE */
    mov %eax, %cr4
    mov $pml4, %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx       /* EFER.LME */
    rdmsr
    or $0x100, %eax
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax        /* PG, PE */
    mov %eax, %cr0
    lgdt gdt_pointer
    ljmp $8, $long_mode

    .code64
long_mode:
    mov $16, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss

#if defined(GUEST_HELLO) || defined(GUEST_EXIT)
    lea hello(%rip), %rsi
    call puts
#ifdef GUEST_EXIT
    mov $GUEST_EXIT, %eax
#else
    xor %eax, %eax
#endif
    jmp exit
#endif

#ifdef GUEST_TRIPLE_FAULT
    lidt empty_idt(%rip)
    int3
#endif

#ifdef GUEST_UNCLAIMED
    mov $0x2f8, %dx             /* COM2: nobody there */
    mov $0x5a, %al
    out %al, %dx
    in %dx, %al
    cmp $0xff, %al
    jne bad
    mov $0xc0000000, %rbx       /* beyond RAM, below the device window */
    movl $0x12345678, (%rbx)
    mov (%rbx), %eax
    cmp $0xffffffff, %eax
    jne bad
    lea unclaimed_ok(%rip), %rsi
    call puts
    xor %eax, %eax
    jmp exit
bad:
    lea unclaimed_bad(%rip), %rsi
    call puts
    mov $1, %eax
    jmp exit
#endif

#ifdef GUEST_C_MAIN
    mov start_info(%rip), %edi
    call guest_main
    jmp exit
#endif

#ifdef GUEST_ECHO
    lea echo_ready(%rip), %rsi
    call puts
echo_next:
    call getc
    cmp $0x04, %al              /* Ctrl-D */
    je echo_end
    cmp $0x0d, %al              /* CR */
    je echo_newline
    cmp $0x0a, %al              /* LF */
    je echo_newline
    cmp $0x08, %al              /* BS */
    je echo_erase
    cmp $0x7f, %al              /* DEL */
    je echo_erase
    cmp $0x20, %al
    jb echo_caret
    call putc
    jmp echo_next
echo_newline:
    lea newline(%rip), %rsi
    call puts
    jmp echo_next
echo_erase:
    lea erase(%rip), %rsi
    call puts
    jmp echo_next
echo_caret:
    mov %al, %bl
    mov $0x5e, %al              /* '^' */
    call putc
    mov %bl, %al
    add $0x40, %al
    call putc
    jmp echo_next
echo_end:
    xor %eax, %eax
    jmp exit
#endif

#ifdef GUEST_SPIN
spin:
    pause
    jmp spin
#endif

exit:
    mov $EXIT_PORT, %dx
    out %eax, %dx
    hlt
    jmp exit

/* lsr_wait: until COM1's LSR has a bit of %cl set (0x01 data ready, 0x20 THR empty). */
lsr_wait:
    mov $COM1 + 5, %dx
3:  in %dx, %al
    test %cl, %al
    jz 3b
    ret

/* getc: the next byte from COM1 in %al. */
getc:
    mov $0x01, %cl
    call lsr_wait
    mov $COM1, %dx
    in %dx, %al
    ret

/* putc: %al to COM1. */
putc:
    mov %al, %ah
    mov $0x20, %cl
    call lsr_wait
    mov $COM1, %dx
    mov %ah, %al
    out %al, %dx
    ret

/* puts: the NUL-terminated string at %rsi to COM1. */
puts:
    lodsb
    test %al, %al
    jz 4f
    call putc
    jmp puts
4:  ret

    .section .rodata
hello:          .asciz "hello from a PVH guest in long mode\n"
unclaimed_ok:   .asciz "unclaimed port and MMIO read as all ones\n"
unclaimed_bad:  .asciz "unclaimed reads were not all ones\n"
echo_ready:     .asciz "echo ready\n"
newline:        .asciz "\r\n"
erase:          .asciz "\b \b"
    .p2align 3
gdt:
    .quad 0
    .quad 0x00af9a000000ffff    /* 64-bit code */
    .quad 0x00cf92000000ffff    /* data */
gdt_pointer:
    .word gdt_pointer - gdt - 1
    .long gdt
empty_idt:
    .word 0
    .quad 0

    .section .bss
    .p2align 12
pml4:   .skip 4096
pdpt:   .skip 4096
pds:    .skip 4 * 4096
#ifdef GUEST_C_MAIN
        .skip 4 * 4096
#endif
        .skip 4096
stack_top:
start_info: .skip 4

    .section .note.GNU-stack, "", @progbits
