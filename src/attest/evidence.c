/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Evidence (docs/attestation.md §6): [hypervisor certificate, VM
 * certificate, token] for a relying party's challenge.
 */
#include <libpvm/attest.h>

#include <string.h>

#include "attest_internal.h"
#include "attest_priv.h"
#include "attest_state.h"

pvm_status_t attest_vm_evidence(struct pvm_hyp *hyp, struct pvm_vm *vm, const uint8_t *challenge,
				size_t len, uint8_t *buf, size_t size, size_t *out_len)
{
	uint8_t rem[PVM_REM_COUNT][PVM_SHA512_SIZE];
	uint8_t desc[VM_CONFIG_DESC_SIZE], desc_hash[PVM_SHA512_SIZE], sub[DICE_ID_SIZE];
	struct token_claims tc;
	struct cert_claims cl;
	struct cbor c;
	pvm_status_t ret;

	if (out_len)
		*out_len = 0;
	if (!hyp || !vm || !challenge || !out_len || !len || len > PVM_CHALLENGE_MAX ||
	    (!buf && size))
		return PVM_E_INVAL;
	if (!__atomic_load_n(&hyp->attest.ready, __ATOMIC_ACQUIRE) ||
	    !__atomic_load_n(&vm->attest.sealed, __ATOMIC_ACQUIRE))
		return PVM_E_STATE;
	/*
	 * Everything but the REMs is immutable once sealed; the REMs are
	 * copied under the VM's lock, so the token reports one consistent
	 * state even while vCPUs extend them.
	 */
	pvm_port_lock(&vm->lock);
	memcpy(rem, vm->attest.rem, sizeof(rem));
	pvm_port_unlock(&vm->lock);

	vm_cert_claims(hyp, vm, &cl, sub, desc, desc_hash);
	cl.pub = vm->attest.pub;
	ret = dice_id(vm->attest.pub, sub);
	if (ret)
		return PVM_E_STATE;
	tc = (struct token_claims){.challenge = challenge,
				   .challenge_len = len,
				   .rpv = vm->attest.rpv,
				   .pub = vm->attest.pub,
				   .rim = vm->attest.rim,
				   .rem = (const uint8_t(*)[PVM_SHA512_SIZE])rem};

	cbor_init(&c, buf, size);
	cbor_array(&c, 3);
	cbor_raw(&c, hyp->attest.cert, hyp->attest.cert_len);
	cert_encode(&c, &cl, NULL, vm->attest.cert_sig, NULL);
	token_encode(&c, &tc, vm->attest.priv);
	ret = cbor_status(&c, out_len);
	if (ret == PVM_E_RANGE)
		return ret; /* *out_len: the room needed */
	if (ret) {
		*out_len = 0;
		return PVM_E_STATE;
	}
	return PVM_OK;
}

pvm_status_t pvm_attest_evidence(struct pvm_hyp *hyp, unsigned handle, const uint8_t *challenge,
				 size_t len, uint8_t *buf, size_t size, size_t *out_len)
{
	struct pvm_vm *vm;
	pvm_status_t ret;

	if (out_len)
		*out_len = 0;
	if (!hyp || !challenge || !out_len || !len || len > PVM_CHALLENGE_MAX || (!buf && size))
		return PVM_E_INVAL;
	ret = vm_get(hyp, handle, &vm);
	if (ret)
		return ret == PVM_E_BUSY ? PVM_E_STATE : ret;
	ret = attest_vm_evidence(hyp, vm, challenge, len, buf, size, out_len);
	vm_put(hyp, vm);
	return ret;
}
