/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry points, stacks and exception vectors of the sample guests.
 * runtime.h describes what happens at boot; this file is the how.
 *
 * Only plain EL1 code: nothing here depends on which hypervisor runs the
 * guest, and the MMU and caches are left as they are (off).
 */

#define MAX_CPUS	4		/* RUNTIME_MAX_CPUS in runtime.h */
#define STACK_SHIFT	13
#define STACK_SIZE	(1 << STACK_SHIFT)	/* 8 KiB per vCPU */
#define FRAME_SIZE	256		/* x0..x30 saved by a vector, 16-byte aligned */

/*
 * _start must be the first byte of the image (the linker script puts
 * .text.boot first and checks that _start is at PVM_LAYOUT_RAM_BASE).
 */
	.section .text.boot, "ax"
	.globl	_start
_start:
	/*
	 * Whatever PSTATE the VMM chose: interrupts masked (nothing here
	 * handles them) and SP_EL1 selected, so the vectors for "current EL
	 * with SPx" are the ones taken and use the same stack.
	 */
	msr	daifset, #0xf
	msr	spsel, #1

	/* vCPU 0 takes stack 0. x0 (the DTB) is kept for main(). */
	adrp	x1, stacks
	add	x1, x1, :lo12:stacks
	add	sp, x1, #STACK_SIZE

	/* Zero .bss (16-byte aligned bounds, see linker.ld.S); no stack use yet. */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:
	bl	vectors_install
	bl	main
	bl	psci_system_off		/* does not return */
	b	.

/*
 * Secondary vCPUs: x0 = the CPU_ON context id, used as the stack index.
 * Index 0 is vCPU 0's stack, so only 1..MAX_CPUS-1 are accepted.
 */
	.globl	_start_secondary
_start_secondary:
	msr	daifset, #0xf
	msr	spsel, #1

	cbz	x0, 3f
	cmp	x0, #MAX_CPUS
	b.hs	3f

	/* What this vCPU came up with, before the runtime changes it (runtime.h). */
	mrs	x2, vbar_el1
	adrp	x1, secondary_entry_vbar
	add	x1, x1, :lo12:secondary_entry_vbar
	str	x2, [x1, x0, lsl #3]

	adrp	x1, stacks
	add	x1, x1, :lo12:stacks
	add	x2, x0, #1
	add	x1, x1, x2, lsl #STACK_SHIFT
	mov	sp, x1

	bl	vectors_install		/* keeps x0 */
	bl	secondary_main
	bl	psci_cpu_off		/* does not return */
	b	.

	/* No stack for this context id: switch off without running C. */
3:	adrp	x1, psci_cpu_off_id
	ldr	w0, [x1, :lo12:psci_cpu_off_id]
	hvc	#0
4:	wfi
	b	4b

/* Point VBAR_EL1 at the vectors; VBAR_EL1 is per vCPU. Clobbers x9 only. */
vectors_install:
	adrp	x9, vectors
	add	x9, x9, :lo12:vectors
	msr	vbar_el1, x9
	isb
	ret

/* The default secondary_main(): return at once (the vCPU then calls CPU_OFF). */
	.weak	secondary_main
secondary_main:
	ret

/*
 * The vector table: 16 entries of 128 bytes, 2 KiB aligned. Each entry saves
 * x0 and x1, puts its index in x0 and joins exception_entry, which saves the
 * rest, calls exception_handle(index) (which moves ELR_EL1 past the faulting
 * instruction) and returns with ERET.
 */
.macro	ventry	n
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\n
	b	exception_entry
.endm

	.section .text.vectors, "ax"
	.balign	0x800
vectors:
	ventry	0	/* current EL, SP_EL0: synchronous */
	ventry	1	/*                     IRQ */
	ventry	2	/*                     FIQ */
	ventry	3	/*                     SError */
	ventry	4	/* current EL, SP_ELx: synchronous */
	ventry	5	/*                     IRQ */
	ventry	6	/*                     FIQ */
	ventry	7	/*                     SError */
	ventry	8	/* lower EL, AArch64:  synchronous */
	ventry	9	/*                     IRQ */
	ventry	10	/*                     FIQ */
	ventry	11	/*                     SError */
	ventry	12	/* lower EL, AArch32:  synchronous */
	ventry	13	/*                     IRQ */
	ventry	14	/*                     FIQ */
	ventry	15	/*                     SError */

exception_entry:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]

	bl	exception_handle

	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #FRAME_SIZE
	eret

/* One stack per vCPU, not in .bss: vCPU 0 is on its stack while .bss is zeroed. */
	.section .stacks, "aw", %nobits
	.balign	16
stacks:
	.space	MAX_CPUS * STACK_SIZE
