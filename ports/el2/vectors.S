/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The EL2 exception vectors. Every entry saves x0..x30 in a struct
 * el2_frame on the EL2 stack (SP_EL2: the host never sees it) and calls
 * el2_exception(kind, frame); what comes back is restored before ERET, so
 * a handler changes the host's registers by changing the frame.
 */
#include "macros.S.inc"

	.section .vectors, "ax"
	.balign	2048
	.globl	el2_vectors
/*
 * Entries 0-3: current EL with SP_EL0; 4-7: current EL with SP_EL2; 8-11:
 * lower EL in AArch64 (the host's HVC, SMC and aborts: 8); 12-15: lower EL
 * in AArch32. In each group: sync, IRQ, FIQ, SError.
 */
el2_vectors:
	vectors	el2_exc_common

	.text
	.globl	el2_exc_common
el2_exc_common:
	frame_call el2_exception

/* el2_eret_host(entry, x0, x1, x2, x3, x4): start the host at EL1h, DAIF masked. */
	.globl	el2_eret_host
el2_eret_host:
	msr	elr_el2, x0
	mov	x6, #0x3c5
	msr	spsr_el2, x6
	mov	x0, x1
	mov	x1, x2
	mov	x2, x3
	mov	x3, x4
	mov	x4, x5
	/* The host gets no hypervisor values in its other registers. */
	mov	x5, xzr
	mov	x6, xzr
	mov	x7, xzr
	mov	x8, xzr
	mov	x9, xzr
	mov	x10, xzr
	mov	x11, xzr
	mov	x12, xzr
	mov	x13, xzr
	mov	x14, xzr
	mov	x15, xzr
	mov	x16, xzr
	mov	x17, xzr
	mov	x18, xzr
	mov	x19, xzr
	mov	x20, xzr
	mov	x21, xzr
	mov	x22, xzr
	mov	x23, xzr
	mov	x24, xzr
	mov	x25, xzr
	mov	x26, xzr
	mov	x27, xzr
	mov	x28, xzr
	mov	x29, xzr
	mov	x30, xzr
	eret

/* el2_smc(x0..x3): a firmware call; results in x0 (x1..x3 are clobbered). */
	.globl	el2_smc
el2_smc:
	smc	#0
	ret
