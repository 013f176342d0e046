/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry at EL2. The image starts with an arm64 Linux "Image" header, so
 * pvm-el2.bin boots through the Linux boot protocol (x0 = the DTB's
 * physical address, MMU off); pvm-el2.elf is entered at the same place by
 * QEMU's ELF loader, which passes x0 = 0 and puts the DTB at the base of
 * RAM instead (el2_mmu_boot() knows both).
 */
#include "macros.S.inc"

#define SCTLR_EL2_RES1 0x30c50830

	.section .text.head, "ax"
	.globl	el2_head
el2_head:
	b	el2_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0x200000		/* text_offset: 2 MiB above a 2 MiB aligned base */
	.quad	__image_end - el2_head	/* image_size, BSS included */
	.quad	0x2			/* flags: little-endian, 4 KiB pages, base near DRAM */
	.quad	0, 0, 0
	.ascii	"ARM\x64"		/* magic */
	.long	0

	.section .text.boot, "ax"
el2_entry:
	msr	daifset, #0xf
	mov	x19, x0
	/* Nothing to report these on: there is no console before the DTB. */
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	el2_halt
	adr	x1, el2_head
	ldr	x2, =el2_head
	cmp	x1, x2			/* not position independent: loaded where linked? */
	b.ne	el2_halt
	/* MMU and caches off, little-endian, alignment checks off. */
	ldr	x1, =SCTLR_EL2_RES1
	msr	sctlr_el2, x1
	isb
	ldr	x1, =el2_stack_top
	mov	sp, x1
	zero_range __bss_start, __bss_end
	ldr	x1, =el2_vectors
	msr	vbar_el2, x1
	isb
	mov	x0, x19
	bl	el2_mmu_boot
	cbz	x0, el2_halt
	bl	el2_main
	b	el2_halt

/*
 * A CPU the firmware started for the hypervisor (PSCI CPU_ON, or the
 * resume from a power-down CPU_SUSPEND, psci.c): at EL2, MMU off, x0 = its
 * struct el2_cpu (the context id the hypervisor gave). The boot CPU's EL2
 * translation (el2_mmu_regs, in memory) comes first, so that everything
 * after runs with caches on; nothing is written before.
 */
	.globl	el2_secondary_entry
el2_secondary_entry:
	msr	daifset, #0xf
	ldr	x1, =SCTLR_EL2_RES1
	msr	sctlr_el2, x1
	isb
	ldr	x1, =el2_vectors
	msr	vbar_el2, x1
	ldr	x1, =el2_mmu_regs
	ldp	x2, x3, [x1]		/* mair, tcr */
	ldp	x4, x5, [x1, #16]	/* ttbr0, sctlr */
	msr	mair_el2, x2
	msr	tcr_el2, x3
	msr	ttbr0_el2, x4
	isb
	/* Whatever this CPU's TLBs and instruction cache hold from before: gone. */
	tlbi	alle2
	ic	iallu
	dsb	nsh
	isb
	msr	sctlr_el2, x5
	isb
	ldr	x1, [x0]		/* stack_top: struct el2_cpu's first field */
	mov	sp, x1
	msr	tpidr_el2, x0
	bl	el2_cpu_main
	.globl	el2_halt
el2_halt:
	wfe
	b	el2_halt

	.section .bss.pages, "aw", %nobits
	.balign	4096
el2_stack:
	.skip	16384
	.globl	el2_stack_top
el2_stack_top:
