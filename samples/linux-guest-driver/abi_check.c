// SPDX-License-Identifier: GPL-2.0-only
/*
 * Compiled with the project (never into the module): the driver's copy of
 * the guest-call ABI must be libpvm's, and its uapi limits must hold what
 * libpvm produces.
 */
#include <libpvm/abi.h>
#include <libpvm/attest.h>

#include "pvm_guest.h"
#include "pvm_guest_calls.h"

_Static_assert(PVMG_CALL_FEATURES == PVM_GUEST_CALL_FEATURES, "FEATURES");
_Static_assert(PVMG_CALL_ATTEST == PVM_GUEST_CALL_ATTEST, "ATTEST");
_Static_assert(PVMG_CALL_REM_EXTEND == PVM_GUEST_CALL_REM_EXTEND, "REM_EXTEND");
_Static_assert(PVMG_CALL_SEAL_KEY == PVM_GUEST_CALL_SEAL_KEY, "SEAL_KEY");
_Static_assert(PVMG_REM_COUNT == PVM_REM_COUNT && PVM_GUEST_REM_COUNT == PVM_REM_COUNT, "REMs");
_Static_assert(PVMG_REM_DATA_MAX == PVM_REM_DATA_MAX && PVM_GUEST_REM_DATA_MAX == PVM_REM_DATA_MAX,
	       "REM data limit");
_Static_assert(PVMG_SEAL_CONTEXT_MAX == PVM_SEAL_CONTEXT_MAX &&
		       PVM_GUEST_SEAL_CONTEXT_MAX == PVM_SEAL_CONTEXT_MAX,
	       "sealing context limit");
_Static_assert(PVMG_SEAL_KEY_LEN == 32 && PVM_GUEST_SEAL_KEY_LEN == 32, "sealing key length");
_Static_assert(PVMG_CHALLENGE_MAX == PVM_CHALLENGE_MAX, "challenge limit");
_Static_assert(PVMG_EVIDENCE_MAX == PVM_EVIDENCE_MAX, "evidence limit");
_Static_assert(PVMG_RET_INVALID_PARAMETER == SMCCC_RET_INVALID_PARAMETER, "INVALID_PARAMETER");
_Static_assert(PVM_GUEST_CHALLENGE_MAX == PVM_CHALLENGE_MAX, "uapi challenge limit");
_Static_assert(PVM_GUEST_EVIDENCE_MAX >= PVM_EVIDENCE_MAX, "uapi evidence limit");

/* An object file needs a symbol in it. */
int pvm_guest_abi_checked(void);
int pvm_guest_abi_checked(void)
{
	return 1;
}
