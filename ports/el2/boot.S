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
