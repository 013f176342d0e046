/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The assembly half of the world switch (world.c has the other half).
 *
 * el2_guest_run(regs) loads a guest's GPRs, SP_EL0, ELR_EL2 and SPSR_EL2
 * from regs and ERETs to it; VBAR_EL2 points at el2_guest_vectors for as
 * long as the guest runs. The guest's exception to EL2 comes back through
 * those vectors: they save its registers into regs and return from
 * el2_guest_run() to its C caller with the vector's number, as if it had
 * been an ordinary call. The hypervisor's callee-saved registers and regs
 * wait on this CPU's EL2 stack in between (SP_EL2, which the guest cannot
 * reach, is the same at the vector as it was at the ERET); TPIDR_EL2 stays
 * this CPU's struct el2_cpu.
 */
#include "macros.S.inc"
#include "world.h"

	.text
/* unsigned el2_guest_run(struct pvm_vcpu_regs *regs): the vector number, 8..15. */
	.globl	el2_guest_run
el2_guest_run:
	stp	x29, x30, [sp, #-WORLD_HYP_FRAME]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	str	x0, [sp, #WORLD_HYP_REGS]
	ldr	x1, =el2_guest_vectors
	msr	vbar_el2, x1
	ldr	x1, [x0, #WORLD_SP_EL0]
	msr	sp_el0, x1
	ldp	x1, x2, [x0, #WORLD_PC]
	msr	elr_el2, x1
	msr	spsr_el2, x2
	isb
	xframe	ldp, x0
	ldp	x0, x1, [x0, #WORLD_X0]
	eret
	/* Nothing after an ERET runs, not even speculatively. */
	dsb	nsh
	isb

/*
 * From a guest: push x0, x1 (the hypervisor's stack is the one el2_guest_run
 * left), pass the vector's number in x0.
 */
	.macro	gentry kind
	.balign	0x80
	stp	x0, x1, [sp, #-16]!
	mov	x0, #\kind
	b	el2_guest_exit
	.endm

	.section .vectors, "ax"
	.balign	2048
	.globl	el2_guest_vectors
/*
 * Entries 0-7 (an exception taken at EL2 itself, between the switch of
 * VBAR_EL2 and the ERET or after the exit) are hypervisor bugs: the common
 * handler reports them and stops. Entries 8-15: the guest stopped.
 */
el2_guest_vectors:
	.irp	kind, 0, 1, 2, 3, 4, 5, 6, 7
	ventry	\kind, el2_exc_common
	.endr
	.irp	kind, 8, 9, 10, 11, 12, 13, 14, 15
	gentry	\kind
	.endr

	.text
el2_guest_exit:
	ldr	x1, [sp, #(16 + WORLD_HYP_REGS)]	/* past the guest's x0, x1 */
	xframe	stp, x1
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x1, #WORLD_X0]
	mrs	x2, sp_el0
	str	x2, [x1, #WORLD_SP_EL0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x1, #WORLD_PC]
	ldr	x1, =el2_vectors
	msr	vbar_el2, x1
	isb
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #WORLD_HYP_FRAME
	ret
