/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The libpvm guest calls the driver makes, as include/libpvm/abi.h and
 * attest.h define them. Those headers cannot be included in a kernel build
 * (they name C library headers and clash with <linux/arm-smccc.h>), so the
 * values are repeated here and abi_check.c, compiled with the project,
 * asserts that they are the same.
 */
#ifndef PVM_GUEST_CALLS_H
#define PVM_GUEST_CALLS_H

/* libpvm's own guest calls (64-bit fast, owner 6): bit n of FEATURES is BASE + n. */
#define PVMG_CALL_FEATURES   0xc6000100u
#define PVMG_CALL_ATTEST     0xc6000101u
#define PVMG_CALL_REM_EXTEND 0xc6000102u
#define PVMG_CALL_SEAL_KEY   0xc6000103u
#define PVMG_FEATURE(fn)     (1ul << ((fn)-PVMG_CALL_FEATURES))

/* ATTEST's limits: the challenge's length, the longest evidence. */
#define PVMG_CHALLENGE_MAX    64u
#define PVMG_EVIDENCE_MAX     2048u
#define PVMG_REM_COUNT	      4u
#define PVMG_REM_DATA_MAX     2048u
#define PVMG_SEAL_CONTEXT_MAX 64u
#define PVMG_SEAL_KEY_LEN     32u

/* SMCCC's INVALID_PARAMETER, which the kernel's arm-smccc.h does not name. */
#define PVMG_RET_INVALID_PARAMETER (-3)

#endif /* PVM_GUEST_CALLS_H */
