/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libpvm's own guest calls (abi.h, PVM_GUEST_CALL_*): evidence for a
 * challenge, REM extension, sealing keys. Arguments are guest IPAs; data
 * moves through the vCPU's scratch area with vm_copy_{from,to}_guest, so
 * the guest can only hand over memory it maps itself.
 */
#include <libpvm/abi.h>
#include <libpvm/attest.h>

#include <string.h>

#include "attest/attest_internal.h"
#include "vcpu_internal.h"

_Static_assert(PVM_EVIDENCE_MAX <= sizeof(((struct pvm_vcpu *)0)->scratch),
	       "evidence is staged in the vCPU's scratch area");
_Static_assert(PVM_REM_DATA_MAX <= sizeof(((struct pvm_vcpu *)0)->scratch),
	       "REM data is staged in the vCPU's scratch area");

static void ret2(struct pvm_vcpu *vcpu, int64_t r0, uint64_t r1)
{
	vcpu->ctx.regs.x[0] = (uint64_t)r0;
	vcpu->ctx.regs.x[1] = r1;
}

static void attest(struct pvm_hyp *hyp, struct pvm_vm *vm, struct pvm_vcpu *vcpu, const uint64_t *a)
{
	uint8_t challenge[PVM_CHALLENGE_MAX];
	size_t len = 0;
	pvm_status_t ret;

	if (!a[2] || a[2] > PVM_CHALLENGE_MAX ||
	    vm_copy_from_guest(vm, a[1], challenge, (size_t)a[2])) {
		ret2(vcpu, SMCCC_RET_INVALID_PARAMETER, 0);
		return;
	}
	ret = attest_vm_evidence(hyp, vm, challenge, (size_t)a[2], vcpu->scratch,
				 sizeof(vcpu->scratch), &len);
	if (ret == PVM_OK && len > a[4])
		ret = PVM_E_RANGE; /* the guest's buffer is too small: say how much it needs */
	if (ret == PVM_OK && vm_copy_to_guest(vm, a[3], vcpu->scratch, len))
		ret = PVM_E_PERM;
	memset(vcpu->scratch, 0, sizeof(vcpu->scratch));
	if (ret == PVM_OK)
		ret2(vcpu, SMCCC_RET_SUCCESS, len);
	else if (ret == PVM_E_RANGE)
		ret2(vcpu, SMCCC_RET_INVALID_PARAMETER, len);
	else if (ret == PVM_E_STATE)
		ret2(vcpu, SMCCC_RET_NOT_SUPPORTED, 0); /* no attestation on this machine */
	else
		ret2(vcpu, SMCCC_RET_INVALID_PARAMETER, 0);
}

static void rem_extend(struct pvm_vm *vm, struct pvm_vcpu *vcpu, const uint64_t *a)
{
	size_t len = (size_t)a[3];

	if (a[1] >= PVM_REM_COUNT || !a[3] || a[3] > PVM_REM_DATA_MAX ||
	    vm_copy_from_guest(vm, a[2], vcpu->scratch, len)) {
		ret2(vcpu, SMCCC_RET_INVALID_PARAMETER, 0);
		return;
	}
	attest_rem_extend(vm, (unsigned)a[1], vcpu->scratch, len);
	memset(vcpu->scratch, 0, len);
	ret2(vcpu, SMCCC_RET_SUCCESS, 0);
}

static void seal_key(struct pvm_vm *vm, struct pvm_vcpu *vcpu, const uint64_t *a)
{
	uint8_t ctx[PVM_SEAL_CONTEXT_MAX], key[32];
	int64_t r = SMCCC_RET_INVALID_PARAMETER;

	if (a[3] <= PVM_SEAL_CONTEXT_MAX && !vm_copy_from_guest(vm, a[2], ctx, (size_t)a[3])) {
		if (attest_seal_key(vm, ctx, (size_t)a[3], key))
			r = SMCCC_RET_NOT_SUPPORTED;
		else if (!vm_copy_to_guest(vm, a[1], key, sizeof(key)))
			r = SMCCC_RET_SUCCESS;
	}
	memset(key, 0, sizeof(key));
	ret2(vcpu, r, 0);
}

bool guest_attest_call(struct pvm_hyp *hyp, struct pvm_vm *vm, struct pvm_vcpu *vcpu, uint32_t fn,
		       const uint64_t *a)
{
	switch (fn) {
	case PVM_GUEST_CALL_ATTEST:
		attest(hyp, vm, vcpu, a);
		return true;
	case PVM_GUEST_CALL_REM_EXTEND:
		rem_extend(vm, vcpu, a);
		return true;
	case PVM_GUEST_CALL_SEAL_KEY:
		seal_key(vm, vcpu, a);
		return true;
	default:
		return false;
	}
}
