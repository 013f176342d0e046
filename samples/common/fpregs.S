/* SPDX-License-Identifier: Apache-2.0 */
/* The register file from a seed, and its check: fpregs.h says what goes where. */

#define STEP_LO	0x7f4a7c15
#define STEP_HI	0x9e3779b9

	/* x3 = FPREGS_STEP (no literal pool: movz/movk). */
	.macro	step_to_x3
	movz	x3, #(STEP_LO & 0xffff)
	movk	x3, #(STEP_LO >> 16), lsl #16
	movk	x3, #(STEP_HI & 0xffff), lsl #32
	movk	x3, #(STEP_HI >> 16), lsl #48
	.endm

	/* x2 = FPSR from the seed in x0 (FPREGS_FPSR_MASK); x4 = FPCR (seed bits 12:8 at 26:22). */
	.macro	status_from_seed
	mov	x4, #0x9f
	movk	x4, #0x800, lsl #16
	and	x2, x0, x4
	ubfx	x4, x0, #8, #5
	lsl	x4, x4, #22
	.endm

	.text
	.globl	fpregs_enable
fpregs_enable:
	mrs	x0, cpacr_el1
	orr	x0, x0, #(3 << 20)
	msr	cpacr_el1, x0
	isb
	ret

	.globl	fpregs_fill
fpregs_fill:
	step_to_x3
	mov	x1, x0
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	add	x1, x1, x3
	fmov	d\n, x1
	eor	x2, x1, #0xffff0000ffff0000
	mov	v\n\().d[1], x2
	.endr
	status_from_seed
	msr	fpsr, x2
	msr	fpcr, x4
	ret

	.globl	fpregs_check
fpregs_check:
	step_to_x3
	mov	x1, x0
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	mov	x5, #(\n + 1)
	add	x1, x1, x3
	fmov	x6, d\n
	cmp	x6, x1
	b.ne	1f
	eor	x2, x1, #0xffff0000ffff0000
	mov	x6, v\n\().d[1]
	cmp	x6, x2
	b.ne	1f
	.endr
	status_from_seed
	mov	x5, #33
	mrs	x6, fpsr
	cmp	x6, x2
	b.ne	1f
	mov	x5, #34
	mrs	x6, fpcr
	cmp	x6, x4
	b.ne	1f
	mov	x5, #0
1:	mov	x0, x5
	ret

	.globl	fpregs_store
fpregs_store:
	stp	q0, q1, [x0, #0]
	stp	q2, q3, [x0, #32]
	stp	q4, q5, [x0, #64]
	stp	q6, q7, [x0, #96]
	stp	q8, q9, [x0, #128]
	stp	q10, q11, [x0, #160]
	stp	q12, q13, [x0, #192]
	stp	q14, q15, [x0, #224]
	stp	q16, q17, [x0, #256]
	stp	q18, q19, [x0, #288]
	stp	q20, q21, [x0, #320]
	stp	q22, q23, [x0, #352]
	stp	q24, q25, [x0, #384]
	stp	q26, q27, [x0, #416]
	stp	q28, q29, [x0, #448]
	stp	q30, q31, [x0, #480]
	ret
