/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest of test "sve" (main.c: test_sve), copied into one page at the
 * guest's RAM base: it opens SVE, SME and FP/SIMD for itself
 * (CPACR_EL1.ZEN, SMEN, FPEN) and runs an SVE instruction, then, from its
 * synchronous exception vector, an SME one, then powers off. The
 * hypervisor keeps both trapped (CPTR_EL2.TZ, TSM): each must come back as
 * an undefined-instruction exception in the guest (and a guest-fault exit
 * for the host), never run. A CPU without SME makes SMSTART undefined at
 * EL1 itself: no exit for it.
 */
	.arch	armv9-a+sve+sme

#define CPACR_OPEN	0x3330000	/* SMEN 25:24, FPEN 21:20, ZEN 17:16: all 0b11 */
#define PSCI_SYSTEM_OFF	0x84000008

	.section .rodata.sve_guest, "a"
	.balign	2048
	.globl	host_sve_guest, host_sve_guest_end
host_sve_guest:
	adr	x0, 2f
	msr	vbar_el1, x0
	movz	x0, #(CPACR_OPEN & 0xffff)
	movk	x0, #(CPACR_OPEN >> 16), lsl #16
	msr	cpacr_el1, x0
	isb
	mov	x5, #0
	rdvl	x1, #1
	b	.

	/* Vectors: only "current EL with SP_EL1, synchronous" (+0x200) is used. */
	.balign	2048
2:	.skip	0x200
	add	x5, x5, #1
	cmp	x5, #1
	b.ne	3f
	smstart
3:	movz	w0, #(PSCI_SYSTEM_OFF & 0xffff)
	movk	w0, #(PSCI_SYSTEM_OFF >> 16), lsl #16
	hvc	#0
	b	.
host_sve_guest_end:
