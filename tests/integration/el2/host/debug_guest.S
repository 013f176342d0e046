/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest of test "debug" (isolation.c: test_debug), copied into one page
 * at the guest's RAM base. With its debug exceptions unmasked, as a guest
 * kernel has them, it writes values of its own into a debug and a PMU
 * register and reads three of them, where the host has values of its own
 * (DEBUG_GUEST_ACCESSES in all): the writes must be ignored and the reads
 * read zero, which it reports as one MMIO write of the three values ORed
 * to DEBUG_GUEST_READS. An undefined-instruction exception (EC 0), which
 * the hypervisor no longer injects for them, would be skipped by its vector
 * and show as a guest-fault exit. Then it runs the instruction at
 * host_debug_guest_bp, where the host has put a breakpoint of its own,
 * spins for 1/16 s of the counter (which the host's cycle counter must not
 * count) and powers off. Any other exception (a breakpoint's EC is 0x31)
 * is reported to the host as an MMIO write of its ESR_EL1 to
 * DEBUG_GUEST_REPORT.
 */
#include "isolation.h"

#define PSCI_SYSTEM_OFF	0x84000008

	.section .rodata.debug_guest, "a"
	.balign	2048
	.globl	host_debug_guest, host_debug_guest_end, host_debug_guest_bp
host_debug_guest:
	adr	x0, 2f
	msr	vbar_el1, x0
	isb
	msr	daifclr, #8
	ldr	x1, =DEBUG_GUEST_BVR
	msr	dbgbvr0_el1, x1
	mov	x1, #DEBUG_GUEST_PMSELR
	msr	pmselr_el0, x1
	mov	x4, #-1
	mov	x5, #-1
	mov	x6, #-1
	mrs	x4, mdscr_el1
	mrs	x5, pmccntr_el0
	mrs	x6, dbgbvr0_el1
	orr	x7, x4, x5
	orr	x7, x7, x6
	ldr	x1, =DEBUG_GUEST_READS
	str	x7, [x1]
	isb
host_debug_guest_bp:
	nop
	mrs	x2, cntfrq_el0
	lsr	x2, x2, #4
	mrs	x3, cntvct_el0
	add	x3, x3, x2
1:	mrs	x2, cntvct_el0
	cmp	x2, x3
	b.lo	1b
	movz	w0, #(PSCI_SYSTEM_OFF & 0xffff)
	movk	w0, #(PSCI_SYSTEM_OFF >> 16), lsl #16
	hvc	#0
	b	.
	.ltorg

	/* Vectors: only "current EL with SP_EL1, synchronous" (+0x200) is used. */
	.balign	2048
2:	.skip	0x200
	mrs	x0, esr_el1
	lsr	x1, x0, #26
	cbnz	x1, 3f
	mrs	x1, elr_el1
	add	x1, x1, #4
	msr	elr_el1, x1
	eret
3:	mov	x1, #DEBUG_GUEST_REPORT
	str	x0, [x1]
	b	.
host_debug_guest_end:
