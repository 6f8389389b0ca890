/*
 * PVH entry: the VMM (cocoon, or QEMU -M microvm) starts us in 32-bit protected
 * mode with paging off and %ebx = the physical address of hvm_start_info. We build
 * boot page tables, switch to long mode and jump to kmain in the upper half.
 *
 * Boot page tables, 2 MiB pages over the first 4 GiB, in three views:
 *   identity        PML4[0]   -> only to survive the switch; removed by the kernel
 *   direct map      PML4[256] -> 0xffff800000000000 + phys
 *   kernel image    PML4[511] -> 0xffffffff80000000 + phys (first 1 GiB)
 */
#define KERNEL_BASE 0xffffffff80000000
#define PHYS(x) ((x) - KERNEL_BASE)

    .section .note.pvh, "a"
    .p2align 2
    .long 4, 4, 18              /* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .long pvh_entry

    .section .boot, "ax"
    .code32
    .globl pvh_entry
pvh_entry:
    cli
    cld
    mov %ebx, %edi              /* start_info, kept for kmain */
    mov $PHYS(boot_stack_top), %esp

    /* Four page directories of 512 2 MiB pages: 0..4 GiB. */
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax              /* present, writable, 2 MiB */
    mov %eax, PHYS(boot_pd)(,%ecx,8)
    mov %ecx, %eax
    shr $11, %eax
    mov %eax, PHYS(boot_pd)+4(,%ecx,8)
    inc %ecx
    cmp $2048, %ecx
    jne 1b
    /* Direct-map PDPT: four entries; identity PDPT shares it. */
    xor %ecx, %ecx
2:  mov %ecx, %eax
    shl $12, %eax
    add $PHYS(boot_pd), %eax
    or $3, %eax
    mov %eax, PHYS(boot_pdpt_low)(,%ecx,8)
    inc %ecx
    cmp $4, %ecx
    jne 2b
    /* Kernel-image PDPT: entry 510 -> the first PD. */
    mov $PHYS(boot_pd), %eax
    or $3, %eax
    mov %eax, PHYS(boot_pdpt_high) + 510 * 8
    mov $PHYS(boot_pdpt_low), %eax
    or $3, %eax
    mov %eax, PHYS(boot_pml4)
    mov %eax, PHYS(boot_pml4) + 256 * 8
    mov $PHYS(boot_pdpt_high), %eax
    or $3, %eax
    mov %eax, PHYS(boot_pml4) + 511 * 8

    mov %cr4, %eax
    or $0x20, %eax              /* PAE */
    mov %eax, %cr4
    mov $PHYS(boot_pml4), %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx       /* EFER: LME, NXE, SCE */
    rdmsr
    or $0x901, %eax
    wrmsr
    mov %cr0, %eax
    /* PG, WP, NE, PE. NE: an unmasked x87 exception is an #MF in the process that
     * caused it, not the legacy FERR# line (which nothing here wires to an IRQ). */
    or $0x80010021, %eax
    mov %eax, %cr0
    lgdt boot_gdt_pointer
    ljmp $8, $long_mode_low

    .code64
long_mode_low:
    movabs $long_mode_high, %rax
    jmp *%rax

    .section .text
long_mode_high:
    xor %eax, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    movabs $boot_stack_top, %rsp
    xor %ebp, %ebp
    /* %rdi still holds the start_info physical address. */
    call kmain
3:  cli
    hlt
    jmp 3b

    .section .boot.data, "aw"
    .p2align 3
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff    /* 64-bit code */
    .quad 0x00cf92000000ffff    /* data */
boot_gdt_pointer:
    .word boot_gdt_pointer - boot_gdt - 1
    .long boot_gdt

    .section .bss
    .p2align 12
    .globl boot_pml4, boot_pdpt_high, boot_pd
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4 * 4096
    .globl boot_stack_top
boot_stack:     .skip 16384
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
