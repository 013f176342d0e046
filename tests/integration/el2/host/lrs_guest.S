/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest of test "lrs" (isolation.c: test_lrs), copied into one page at
 * the guest's RAM base. The host queued LRS_GUEST_COUNT interrupts from
 * LRS_GUEST_FIRST before its first run. Through its GICv3 virtual CPU
 * interface (EOImode 1: EOIR drops the priority, DIR deactivates) it
 * acknowledges what the list registers hold and keeps it all active, so
 * that no list register is free, and reports how many (MMIO write 1 to
 * LRS_GUEST_REPORT). Then it arms its virtual timer to fire at once and
 * spins with its interrupts masked: its timer is asserted with no list
 * register to take it, and the host's time slices must still end its runs.
 * It spins until the host has seen one end (not for a fixed time, which a
 * loaded machine can make too short): after every 1/64 s it reads
 * LRS_GUEST_REPORT + 16, where the host answers how many slices ended, and
 * goes on at the first non-zero answer (at most LRS_GUEST_ROUNDS rounds,
 * after which the host's check fails). Then it deactivates them, unmasks and takes the rest: the queued
 * interrupts and its timer (which it stops in its handler). MMIO write 2:
 * (timer taken << 8) | interrupts taken after the first ones; then it
 * powers off. A synchronous exception is reported as an MMIO write of
 * ESR_EL1 to LRS_GUEST_REPORT + 8.
 */
#include "isolation.h"

#define PSCI_SYSTEM_OFF	0x84000008
#define TIMER_PPI	27

	.section .rodata.lrs_guest, "a"
	.balign	2048
	.globl	host_lrs_guest, host_lrs_guest_end
host_lrs_guest:
	adr	x0, 9f
	msr	vbar_el1, x0
	mov	x0, #0xff
	msr	icc_pmr_el1, x0
	mov	x0, #2			/* ICC_CTLR_EL1.EOImode */
	msr	icc_ctlr_el1, x0
	mov	x0, #1
	msr	icc_igrpen1_el1, x0
	isb
	mov	x20, #0			/* taken and held active */
1:	mrs	x0, icc_iar1_el1
	cmp	x0, #1020
	b.hs	2f
	msr	icc_eoir1_el1, x0
	add	x20, x20, #1
	b	1b
2:	mov	x1, #LRS_GUEST_REPORT
	str	x20, [x1]
	mrs	x0, cntvct_el0
	msr	cntv_cval_el0, x0
	mov	x0, #1			/* CNTV_CTL_EL0.ENABLE, unmasked: asserted now */
	msr	cntv_ctl_el0, x0
	isb
	mov	x6, #LRS_GUEST_ROUNDS
11:	mrs	x2, cntfrq_el0
	lsr	x2, x2, #6
	mrs	x3, cntvct_el0
	add	x3, x3, x2
3:	mrs	x2, cntvct_el0
	cmp	x2, x3
	b.lo	3b
	mov	x1, #LRS_GUEST_REPORT
	ldr	x2, [x1, #16]		/* the host: time slices that ended so far */
	cbnz	x2, 12f
	subs	x6, x6, #1
	b.ne	11b
12:	mov	x0, #LRS_GUEST_FIRST
4:	msr	icc_dir_el1, x0
	add	x0, x0, #1
	cmp	x0, #(LRS_GUEST_FIRST + LRS_GUEST_COUNT)
	b.lo	4b
	isb
	mov	x21, #0			/* interrupts taken by the handler */
	mov	x22, #0			/* the timer's taken */
	msr	daifclr, #2
5:	add	x4, x20, x21
	cmp	x4, #LRS_GUEST_COUNT
	ccmp	x22, #0, #4, hs		/* all taken: is the timer too? */
	b.ne	6f
	wfi
	b	5b
6:	msr	daifset, #2
	orr	x4, x21, x22, lsl #8
	mov	x1, #LRS_GUEST_REPORT
	str	x4, [x1]
	movz	w0, #(PSCI_SYSTEM_OFF & 0xffff)
	movk	w0, #(PSCI_SYSTEM_OFF >> 16), lsl #16
	hvc	#0
	b	.

	/* Vectors: current EL with SP_EL1, synchronous (+0x200) and IRQ (+0x280). */
	.balign	2048
9:	.skip	0x200
	mrs	x0, esr_el1
	mov	x1, #LRS_GUEST_REPORT
	str	x0, [x1, #8]
	b	.
	.balign	0x80
	mrs	x0, icc_iar1_el1
	cmp	x0, #1020
	b.hs	8f
	cmp	x0, #TIMER_PPI
	b.ne	7f
	msr	cntv_ctl_el0, xzr	/* its line drops */
	isb
	mov	x22, #1
	b	10f
7:	add	x21, x21, #1
10:	msr	icc_eoir1_el1, x0
	msr	icc_dir_el1, x0
8:	eret
host_lrs_guest_end:
