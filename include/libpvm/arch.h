/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file arch.h
 * @brief ARMv8-A definitions the core and the ports share: HCR_EL2 bits,
 *        PSTATE fields, exception-vector offsets, and how an exception to
 *        EL1 picks its vector.
 *
 * Written once here so that the core (which injects exceptions into
 * guests), the EL2 port (which injects them into its host) and the
 * simulator (which takes them for its binary guests) agree by
 * construction. The encodings are the Arm ARM's (D1.10 exception vectors,
 * D13.2 HCR_EL2, C5.2 SPSR_EL2). The page size is ::PVM_PAGE_SIZE
 * (types.h). The simulator's descriptor decoder stays its own on purpose:
 * it checks the core's.
 */
#ifndef LIBPVM_ARCH_H
#define LIBPVM_ARCH_H

#include <libpvm/esr.h>
#include <libpvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @name HCR_EL2 bits */
/**@{*/
#define PVM_HCR_VM   (1ull << 0)  /**< Stage-2 translation on. */
#define PVM_HCR_SWIO (1ull << 1)  /**< Set/way invalidation upgraded to clean+invalidate. */
#define PVM_HCR_FMO  (1ull << 3)  /**< FIQs to EL2. */
#define PVM_HCR_IMO  (1ull << 4)  /**< IRQs to EL2 (virtual IRQs to EL1). */
#define PVM_HCR_AMO  (1ull << 5)  /**< SErrors to EL2. */
#define PVM_HCR_VI   (1ull << 7)  /**< A virtual IRQ pending. */
#define PVM_HCR_DC   (1ull << 12) /**< EL1 MMU off: data accesses Normal write-back. */
#define PVM_HCR_TWI  (1ull << 13) /**< WFI traps. */
#define PVM_HCR_TWE  (1ull << 14) /**< WFE traps. */
#define PVM_HCR_TID3 (1ull << 18) /**< ID group 3 register reads trap. */
#define PVM_HCR_TSC  (1ull << 19) /**< SMC traps. */
#define PVM_HCR_RW   (1ull << 31) /**< EL1 is AArch64. */
#define PVM_HCR_APK  (1ull << 40) /**< Pointer-authentication key registers do not trap. */
#define PVM_HCR_API  (1ull << 41) /**< Pointer-authentication instructions do not trap. */
/**@}*/

/** @name PSTATE / SPSR_ELx fields (AArch64) */
/**@{*/
#define PVM_PSTATE_M_MASK  0xfull      /**< M[3:0]: exception level and stack pointer. */
#define PVM_PSTATE_EL0T	   0x0ull      /**< EL0. */
#define PVM_PSTATE_EL1T	   0x4ull      /**< EL1 on SP_EL0. */
#define PVM_PSTATE_EL1H	   0x5ull      /**< EL1 on SP_EL1. */
#define PVM_PSTATE_SP	   (1ull << 0) /**< M[0]: SP_ELx rather than SP_EL0 (above EL0). */
#define PVM_PSTATE_EL_MASK 0xcull      /**< M[3:2]: the exception level. */
#define PVM_PSTATE_NRW	   (1ull << 4) /**< M[4]: AArch32. */
#define PVM_PSTATE_F	   (1ull << 6) /**< FIQ masked. */
#define PVM_PSTATE_I	   (1ull << 7) /**< IRQ masked. */
/**@}*/

/** @name Exception-vector offsets from VBAR_EL1 */
/**@{*/
#define PVM_VEC_CUR_SP0	  0x000u /**< Taken from EL1 on SP_EL0. */
#define PVM_VEC_CUR_SPX	  0x200u /**< Taken from EL1 on SP_EL1. */
#define PVM_VEC_LOWER_A64 0x400u /**< Taken from EL0 (AArch64). */
#define PVM_VEC_SYNC	  0x000u /**< Within a group: synchronous. */
#define PVM_VEC_IRQ	  0x080u /**< Within a group: IRQ. */
/**@}*/

/** @brief SCTLR_EL1 with the MMU and caches off: the RES1 bits of Armv8.0. */
#define PVM_SCTLR_EL1_RESET 0x30d00800ull

/**
 * @brief The vector group an exception to EL1 takes, from the PSTATE (or
 *        SPSR) of the context it interrupts.
 * @param pstate PSTATE of the interrupted AArch64 context.
 * @return ::PVM_VEC_CUR_SPX, ::PVM_VEC_CUR_SP0 or ::PVM_VEC_LOWER_A64.
 */
static inline unsigned pvm_arch_el1_vector(uint64_t pstate)
{
	uint64_t m = pstate & PVM_PSTATE_M_MASK;

	if (m == PVM_PSTATE_EL1H)
		return PVM_VEC_CUR_SPX;
	if (m == PVM_PSTATE_EL1T)
		return PVM_VEC_CUR_SP0;
	return PVM_VEC_LOWER_A64;
}

/**
 * @brief The ESR an abort has when it is taken to EL1 through @p vector.
 * @param esr    An ESR whose class is that of an abort from a lower level
 *               (::PVM_EC_DABT_LOW, ::PVM_EC_IABT_LOW), or any other.
 * @param vector pvm_arch_el1_vector() of the interrupted context.
 * @return @p esr, with an abort's class moved to "current EL" when the
 *         abort was taken from EL1 itself (the EC is one higher).
 */
static inline uint64_t pvm_arch_el1_esr(uint64_t esr, unsigned vector)
{
	if (vector != PVM_VEC_LOWER_A64 &&
	    (PVM_ESR_EC(esr) == PVM_EC_DABT_LOW || PVM_ESR_EC(esr) == PVM_EC_IABT_LOW))
		esr += 1ull << PVM_ESR_EC_SHIFT;
	return esr;
}

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_ARCH_H */
