/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry of the host program at EL1 (MMU off), from the hypervisor:
 * x0 = 0, x1 = the PL011's address, x2 = the boot arguments (the test to run is
 * their el2-test=; a copy just past the BSS: __host_end), x3 and x4 = the GIC's
 * distributor and first redistributor. The first 16 bytes are the header
 * the hypervisor reads (host.c: struct host_header).
 */
#include "cpus.h"
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

/*
 * A CPU the host started with PSCI CPU_ON (smp.c), entered by the
 * hypervisor at EL1 with the MMU off and x0 = the context id the host
 * gave: the CPU's number, which picks its stack. The BSS is the boot
 * CPU's, already zeroed.
 */
	.globl	host_secondary_start
host_secondary_start:
	cmp	x0, #HOST_CPUS
	b.hs	4b
	ldr	x1, =host_cpu_stacks
	add	x2, x0, #1
	lsl	x2, x2, #14		/* 16 KiB each: the top of the CPU's */
	add	sp, x1, x2
	ldr	x1, =host_vectors
	msr	vbar_el1, x1
	isb
	bl	host_secondary_main
	b	4b

	.section .bss
	.balign	16
host_cpu_stacks:			/* CPU 0's is host_stack */
	.skip	16384 * HOST_CPUS
host_stack:
	.skip	16384
	.globl	host_stack_top
host_stack_top:
