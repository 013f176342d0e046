/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fpregs.h
 * @brief Fill and check the whole FP/SIMD register file (V0..V31, FPSR,
 *        FPCR) from a seed: the `fpu` guest's test of the hypervisor's FP
 *        context switch, also used by the EL2 port's host program to check
 *        that its own registers survive guest runs.
 *
 * Written in assembly (fpregs.S) so that callers can stay
 * `-mgeneral-regs-only`: no compiler-generated code touches the registers
 * between a fill and its check, so any change was made by someone else.
 * FP/SIMD must be enabled at the caller's EL (CPACR_EL1.FPEN).
 *
 * Register n (0..31) holds lo = seed + (n + 1) * FPREGS_STEP in bits 63:0
 * and lo ^ FPREGS_HI_FLIP in bits 127:64; FPSR = seed & FPREGS_FPSR_MASK
 * (cumulative exception flags and QC); FPCR = bits 12:8 of the seed in
 * AHP, DN, FZ and RMode (bits 26:22).
 */
#ifndef PVM_FPREGS_H
#define PVM_FPREGS_H

#define FPREGS_STEP	 0x9e3779b97f4a7c15ul
#define FPREGS_HI_FLIP	 0xffff0000ffff0000ul
#define FPREGS_FPSR_MASK 0x0800009ful

/**
 * The seed of the "key material" the fpu guest leaves in its registers and
 * in a page of its private memory when it ends: the EL2 host program looks
 * for it in every page it reclaims after the teardown (it must find zeroes).
 */
#define FPREGS_SECRET_SEED 0x5ec2e75ec2e71f00ul

/** Open FP/SIMD at EL1: CPACR_EL1.FPEN = 0b11. */
void fpregs_enable(void);
/** Load V0..V31, FPSR and FPCR with the values of @p seed. */
void fpregs_fill(unsigned long seed);
/**
 * @brief Compare the registers with the values of @p seed.
 * @return 0 if all hold them; else 1 + n for the first wrong Vn (either
 *         half), 33 for FPSR, 34 for FPCR.
 */
unsigned long fpregs_check(unsigned long seed);
/** Store V0..V31 (512 bytes, 16-byte aligned @p out) to memory. */
void fpregs_store(void *out);

#endif /* PVM_FPREGS_H */
