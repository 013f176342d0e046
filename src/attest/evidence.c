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

pvm_status_t attest_vm_evidence(struct pvm_mem *mem, struct pvm_vm *vm, const uint8_t *challenge,
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
	if (!mem || !vm || !challenge || !out_len || !len || len > PVM_CHALLENGE_MAX ||
	    (!buf && size))
		return PVM_E_INVAL;
	if (!__atomic_load_n(&ATTEST_HYP(mem)->ready, __ATOMIC_ACQUIRE) ||
	    !__atomic_load_n(&ATTEST_VM(vm)->sealed, __ATOMIC_ACQUIRE))
		return PVM_E_STATE;
	/*
	 * Everything but the REMs is immutable once sealed; the REMs are
	 * copied under the VM's lock, so the token reports one consistent
	 * state even while vCPUs extend them.
	 */
	pvm_port_lock(&vm->lock);
	memcpy(rem, ATTEST_VM(vm)->rem, sizeof(rem));
	pvm_port_unlock(&vm->lock);

	vm_cert_claims(mem, vm, &cl, sub, desc, desc_hash);
	cl.pub = ATTEST_VM(vm)->pub;
	ret = dice_id(ATTEST_VM(vm)->pub, sub);
	if (ret)
		return PVM_E_STATE;
	tc = (struct token_claims){.challenge = challenge,
				   .challenge_len = len,
				   .rpv = ATTEST_VM(vm)->rpv,
				   .pub = ATTEST_VM(vm)->pub,
				   .rim = ATTEST_VM(vm)->rim,
				   .rem = (const uint8_t(*)[PVM_SHA512_SIZE])rem};

	cbor_init(&c, buf, size);
	cbor_array(&c, 3);
	cbor_raw(&c, ATTEST_HYP(mem)->cert, ATTEST_HYP(mem)->cert_len);
	cert_encode(&c, &cl, NULL, ATTEST_VM(vm)->cert_sig, NULL);
	token_encode(&c, &tc, ATTEST_VM(vm)->priv);
	ret = cbor_status(&c, out_len);
	if (ret == PVM_E_RANGE)
		return ret; /* *out_len: the room needed */
	if (ret) {
		*out_len = 0;
		return PVM_E_STATE;
	}
	return PVM_OK;
}

pvm_status_t pvm_attest_evidence(struct pvm_mem *mem, unsigned handle, const uint8_t *challenge,
				 size_t len, uint8_t *buf, size_t size, size_t *out_len)
{
	struct pvm_vm *vm;
	pvm_status_t ret;

	if (out_len)
		*out_len = 0;
	if (!mem || !challenge || !out_len || !len || len > PVM_CHALLENGE_MAX || (!buf && size))
		return PVM_E_INVAL;
	ret = pvm_vm_load(mem, handle, &vm);
	if (ret)
		return ret == PVM_E_BUSY ? PVM_E_STATE : ret;
	ret = attest_vm_evidence(mem, vm, challenge, len, buf, size, out_len);
	pvm_vm_put(mem, vm);
	return ret;
}
