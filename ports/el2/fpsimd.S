/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The only FP/SIMD instructions of the hypervisor image: saving and loading
 * one FP/SIMD register file (V0..V31, then FPSR, then FPCR: the layout of
 * fp[64], fpsr, fpcr in struct pvm_vcpu_regs; world.c checks it) for the
 * lazy switch of world.c. Everything else is built with -mgeneral-regs-only,
 * and check-no-fp.sh accepts FP/SIMD registers in these two functions alone
 * (by symbol): a compiler that spilled to a V register anywhere else would
 * silently corrupt the host's or a guest's state, and the check catches it.
 *
 * The caller must have cleared CPTR_EL2.TFP (and isb'd): with TFP set these
 * instructions trap at EL2 too. The area is 16-byte aligned (Normal memory
 * at EL2, so alignment is only for speed).
 */
	.text
/* void el2_fpsimd_save(uint64_t area[66]) */
	.globl	el2_fpsimd_save
	.type	el2_fpsimd_save, %function
el2_fpsimd_save:
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
	mrs	x1, fpsr
	mrs	x2, fpcr
	add	x3, x0, #512
	stp	x1, x2, [x3]
	ret
	.size	el2_fpsimd_save, . - el2_fpsimd_save

/* void el2_fpsimd_load(const uint64_t area[66]) */
	.globl	el2_fpsimd_load
	.type	el2_fpsimd_load, %function
el2_fpsimd_load:
	ldp	q0, q1, [x0, #0]
	ldp	q2, q3, [x0, #32]
	ldp	q4, q5, [x0, #64]
	ldp	q6, q7, [x0, #96]
	ldp	q8, q9, [x0, #128]
	ldp	q10, q11, [x0, #160]
	ldp	q12, q13, [x0, #192]
	ldp	q14, q15, [x0, #224]
	ldp	q16, q17, [x0, #256]
	ldp	q18, q19, [x0, #288]
	ldp	q20, q21, [x0, #320]
	ldp	q22, q23, [x0, #352]
	ldp	q24, q25, [x0, #384]
	ldp	q26, q27, [x0, #416]
	ldp	q28, q29, [x0, #448]
	ldp	q30, q31, [x0, #480]
	add	x3, x0, #512
	ldp	x1, x2, [x3]
	msr	fpsr, x1
	msr	fpcr, x2
	ret
	.size	el2_fpsimd_load, . - el2_fpsimd_load
