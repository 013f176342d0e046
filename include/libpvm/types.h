/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file types.h
 * @brief Basic libpvm types: status codes, typed addresses, protections.
 *
 * Physical addresses, intermediate physical addresses (IPAs, what a guest
 * calls physical) and hypervisor virtual addresses are distinct types so
 * that mixing them up is a compile error, not a security bug. Convert only
 * through the explicit helpers below.
 */
#ifndef LIBPVM_TYPES_H
#define LIBPVM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Status of a libpvm call. Zero is success; every error is negative.
 *
 * Each code has exactly one meaning. A call that returns an error has
 * changed nothing (no metadata, no table entry, no TLB state).
 */
typedef enum pvm_status {
	PVM_OK = 0,	   /**< Success. */
	PVM_E_INVAL = -1,  /**< Malformed argument: misaligned, zero size, unknown flag, NULL. */
	PVM_E_RANGE = -2,  /**< Address or range outside the allowed space, or it overflows. */
	PVM_E_NOMEM = -3,  /**< The page pool is too small; donate the reported number of pages. */
	PVM_E_EXISTS = -4, /**< Something is already there (an IPA already mapped). */
	PVM_E_NOENT = -5,  /**< Nothing is there (an IPA not mapped). */
	PVM_E_STATE = -6,  /**< The object is in the wrong state for this operation. */
	PVM_E_BUSY = -7,   /**< The object is in use (pinned, running). */
	PVM_E_PERM = -8,   /**< The caller may not do this. */
	PVM_E_NOTSUP = -9, /**< The operation or configuration is not supported. */
} pvm_status_t;

/**
 * @brief Human-readable name of a status code.
 * @param status Any value; unknown values give "unknown status".
 * @return A static string; never NULL.
 *
 * May be called by anyone, at any time.
 */
const char *pvm_strerror(int status);

/** @brief Size of a translation granule and of every page libpvm manages. */
#define PVM_PAGE_SHIFT 12
/** @brief 4 KiB. */
#define PVM_PAGE_SIZE (1ull << PVM_PAGE_SHIFT)

/** @brief A physical address (output of stage-2 translation). */
typedef struct pvm_paddr {
	uint64_t pa; /**< Raw value; prefer pvm_pa_val(). */
} pvm_paddr_t;

/** @brief An intermediate physical address (input of stage-2 translation). */
typedef struct pvm_ipa {
	uint64_t ipa; /**< Raw value; prefer pvm_ipa_val(). */
} pvm_ipa_t;

/**
 * @brief Make a physical address from a raw value.
 * @param v The raw address.
 * @return @p v as a ::pvm_paddr_t.
 */
static inline pvm_paddr_t pvm_pa(uint64_t v)
{
	return (pvm_paddr_t){v};
}

/**
 * @brief The raw value of a physical address.
 * @param a The physical address.
 * @return Its value as an integer.
 */
static inline uint64_t pvm_pa_val(pvm_paddr_t a)
{
	return a.pa;
}

/**
 * @brief Make an IPA from a raw value.
 * @param v The raw address.
 * @return @p v as a ::pvm_ipa_t.
 */
static inline pvm_ipa_t pvm_ipa(uint64_t v)
{
	return (pvm_ipa_t){v};
}

/**
 * @brief The raw value of an IPA.
 * @param a The IPA.
 * @return Its value as an integer.
 */
static inline uint64_t pvm_ipa_val(pvm_ipa_t a)
{
	return a.ipa;
}

/**
 * @defgroup prot Protections and attributes of a mapping
 * @brief Bits of a ::pvm_prot_t.
 * @{
 */
/** @brief Access and memory-type bits for a stage-2 mapping. */
typedef uint32_t pvm_prot_t;
#define PVM_PROT_R	(1u << 0)		  /**< Readable (S2AP[0]). */
#define PVM_PROT_W	(1u << 1)		  /**< Writable (S2AP[1]). */
#define PVM_PROT_X	(1u << 2)		  /**< Executable (XN clear). */
#define PVM_PROT_DEVICE (1u << 3)		  /**< Device-nGnRE instead of Normal write-back. */
#define PVM_PROT_RW	(PVM_PROT_R | PVM_PROT_W) /**< Read and write. */
#define PVM_PROT_RWX	(PVM_PROT_R | PVM_PROT_W | PVM_PROT_X) /**< Everything. */
/** @brief Shift of the 4 software bits (descriptor bits 55-58) inside a ::pvm_prot_t. */
#define PVM_PROT_SW_SHIFT 4
/** @brief Mask of the software bits inside a ::pvm_prot_t. */
#define PVM_PROT_SW_MASK (0xfu << PVM_PROT_SW_SHIFT)
/** @brief Put software value @p v (0-15) into a ::pvm_prot_t. */
#define PVM_PROT_SW(v) (((pvm_prot_t)(v)&0xfu) << PVM_PROT_SW_SHIFT)
/** @brief Every bit a ::pvm_prot_t may carry. */
#define PVM_PROT_ALL (PVM_PROT_RWX | PVM_PROT_DEVICE | PVM_PROT_SW_MASK)
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_TYPES_H */
