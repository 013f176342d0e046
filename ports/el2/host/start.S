/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry of the host program at EL1 (MMU off), from the hypervisor:
 * x0 = the test to run, x1 = the PL011's address, x2 = the boot arguments
 * (a copy just past the BSS: __host_end), x3 and x4 = the GIC's
 * distributor and first redistributor. The first 16 bytes are the header
 * the hypervisor reads (host.c: struct host_header).
 */
#include "macros.S.inc"

	.section .text.boot, "ax"
	.globl	host_start
host_start:
	b	1f
	.long	0
	.quad	__host_end - host_start	/* bytes to the end of the BSS */
1:	mov	x19, x2
	mov	x20, x3
	mov	x21, x4
	ldr	x2, =host_stack_top
	mov	sp, x2
	zero_range __bss_start, __bss_end
	ldr	x2, =host_vectors
	msr	vbar_el1, x2
	isb
	mov	x2, x19
	mov	x3, x20
	mov	x4, x21
	bl	host_main
4:	wfe
	b	4b

	.section .bss
	.balign	16
host_stack:
	.skip	16384
	.globl	host_stack_top
host_stack_top:
