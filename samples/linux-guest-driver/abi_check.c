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
