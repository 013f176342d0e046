/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VM layer of DICE (docs/attestation.md §2): sealing a VM's RIM, its
 * CDIs, attestation key and certificate; sealing keys for the guest.
 *
 * Locking: sealing freezes the RIM under the memory and VM locks, derives
 * (about a millisecond of key generation and signing) with no lock held,
 * then publishes under the locks again. The derivation is a pure function
 * of inputs that cannot change once the RIM is frozen (the RIM, the VM's
 * creation parameters, the hypervisor layer), so callers racing to seal
 * the same VM may each derive; the first to publish wins and the others
 * find the same values already there. `sealed` is published last with
 * release ordering; lock-free readers load it with acquire ordering.
 */
#include <libpvm/attest.h>

#include <string.h>

#include "attest_internal.h"
#include "attest_priv.h"
#include "attest_state.h"

/* What sealing derives; published into the VM's attestation state in one go. */
struct vm_keys {
	uint8_t authority[DICE_INPUT_SIZE];
	uint8_t cdi_seal[DICE_CDI_SIZE];
	uint8_t priv[PVM_P256_PRIV_SIZE];
	uint8_t pub[PVM_P256_PUB_SIZE];
	uint8_t cert_sig[PVM_P256_SIG_SIZE];
};

void vm_cert_claims(const struct pvm_hyp *hyp, const struct pvm_vm *vm, struct cert_claims *cl,
		    uint8_t sub[DICE_ID_SIZE], uint8_t desc[VM_CONFIG_DESC_SIZE],
		    uint8_t desc_hash[PVM_SHA512_SIZE])
{
	struct pvm_sha512_ctx h;

	measure_vm_config_desc(desc, vm);
	pvm_crypto_sha512_init(&h);
	pvm_crypto_sha512_update(&h, desc, VM_CONFIG_DESC_SIZE);
	pvm_crypto_sha512_final(&h, desc_hash);
	*cl = (struct cert_claims){.iss = hyp->attest.id,
				   .sub = sub,
				   .code = vm->attest.rim,
				   .config_desc = desc,
				   .config_desc_len = VM_CONFIG_DESC_SIZE,
				   .config_hash = desc_hash,
				   .authority = vm->attest.authority,
				   .mode = vm->protected_vm ? DICE_MODE_NORMAL : DICE_MODE_DEBUG};
}

/*
 * The authority input of a signed image (docs/attestation.md §2.1):
 * H(auth->pub), once auth->sig verifies over PVM_IMAGE_SIG_LABEL ‖ rim.
 * @rim and @auth are the hypervisor's own copies: neither changes under
 * the check.
 */
static pvm_status_t verify_authority(const uint8_t rim[PVM_SHA512_SIZE],
				     const struct pvm_vm_authority *auth,
				     uint8_t authority[DICE_INPUT_SIZE])
{
	uint8_t msg[sizeof(PVM_IMAGE_SIG_LABEL) - 1 + PVM_SHA512_SIZE], digest[PVM_SHA256_SIZE];
	struct pvm_sha512_ctx h;
	pvm_status_t ret;

	memcpy(msg, PVM_IMAGE_SIG_LABEL, sizeof(PVM_IMAGE_SIG_LABEL) - 1);
	memcpy(msg + sizeof(PVM_IMAGE_SIG_LABEL) - 1, rim, PVM_SHA512_SIZE);
	pvm_crypto_sha256(msg, sizeof(msg), digest);
	ret = pvm_crypto_p256_verify(auth->pub, digest, auth->sig);
	if (ret == PVM_E_INVAL || ret == PVM_E_PERM)
		return PVM_E_PERM; /* not on the curve, high-S, or simply wrong */
	if (ret)
		return PVM_E_STATE;
	pvm_crypto_sha512_init(&h);
	pvm_crypto_sha512_update(&h, auth->pub, PVM_P256_PUB_SIZE);
	pvm_crypto_sha512_final(&h, authority);
	return PVM_OK;
}

/*
 * The VM's CDIs, key pair and certificate signature, from its frozen inputs
 * and k->authority (zeroes: unsigned, and the RIM is the hidden input that
 * binds the sealing CDI to the code).
 */
static pvm_status_t derive(const struct pvm_hyp *hyp, const struct pvm_vm *vm, bool signed_image,
			   struct vm_keys *k)
{
	uint8_t desc[VM_CONFIG_DESC_SIZE], desc_hash[PVM_SHA512_SIZE], sub[DICE_ID_SIZE];
	uint8_t cdi_attest[DICE_CDI_SIZE], buf[VM_CERT_MAX];
	struct dice_inputs in;
	struct cert_claims cl;
	struct cbor c;
	pvm_status_t ret;

	vm_cert_claims(hyp, vm, &cl, sub, desc, desc_hash);
	cl.authority = k->authority;
	in = (struct dice_inputs){.code = cl.code,
				  .config = desc_hash,
				  .authority = k->authority,
				  .hidden = signed_image ? NULL : vm->attest.rim,
				  .mode = cl.mode};
	ret = dice_cdis(hyp->attest.cdi_attest, hyp->attest.cdi_seal, &in, cdi_attest, k->cdi_seal);
	if (!ret)
		ret = dice_asym_kdf(cdi_attest, k->priv, k->pub);
	/* CDI_Attest_vm's only use is the key pair: it goes now. */
	attest_wipe(cdi_attest, sizeof(cdi_attest));
	if (!ret)
		ret = dice_id(k->pub, sub);
	if (ret)
		return ret;
	/*
	 * The certificate is signed once, here, by the hypervisor key; ECDSA
	 * with RFC 6979 is deterministic, so evidence re-encodes the same
	 * bytes and reuses the signature instead of signing again.
	 */
	cl.pub = k->pub;
	cbor_init(&c, buf, sizeof(buf));
	cert_encode(&c, &cl, hyp->attest.priv, NULL, k->cert_sig);
	return cbor_status(&c, NULL) ? PVM_E_STATE : PVM_OK;
}

/*
 * Freeze the RIM: from here on it is final, whatever happens below. With
 * @rim, only if the RIM is still that (what a signature was checked over):
 * PVM_E_BUSY if a measured load changed it meanwhile. Without @freeze, just
 * copy the RIM out into @rim (nothing changes).
 */
static pvm_status_t freeze(struct pvm_hyp *hyp, struct pvm_vm *vm, uint8_t *rim, bool do_freeze)
{
	pvm_status_t ret = PVM_OK;

	pvm_port_lock(&hyp->lock);
	pvm_port_lock(&vm->lock);
	if (vm->state != PVM_VM_ACTIVE)
		ret = PVM_E_STATE;
	else if (vm->attest.loading)
		ret = PVM_E_BUSY;
	else if (!do_freeze)
		memcpy(rim, vm->attest.rim, PVM_SHA512_SIZE);
	else if (rim && memcmp(rim, vm->attest.rim, PVM_SHA512_SIZE))
		ret = PVM_E_BUSY;
	else
		vm->attest.frozen = true;
	pvm_port_unlock(&vm->lock);
	pvm_port_unlock(&hyp->lock);
	return ret;
}

/* Publish @k unless another caller sealed first; PVM_E_STATE if that one used another authority. */
static pvm_status_t publish(struct pvm_hyp *hyp, struct pvm_vm *vm, const struct vm_keys *k)
{
	pvm_status_t ret = PVM_OK;

	pvm_port_lock(&hyp->lock);
	pvm_port_lock(&vm->lock);
	if (!vm->attest.sealed) {
		memcpy(vm->attest.authority, k->authority, sizeof(k->authority));
		memcpy(vm->attest.cdi_seal, k->cdi_seal, sizeof(k->cdi_seal));
		memcpy(vm->attest.priv, k->priv, sizeof(k->priv));
		memcpy(vm->attest.pub, k->pub, sizeof(k->pub));
		memcpy(vm->attest.cert_sig, k->cert_sig, sizeof(k->cert_sig));
		__atomic_store_n(&vm->attest.sealed, true, __ATOMIC_RELEASE);
	} else if (memcmp(vm->attest.authority, k->authority, sizeof(k->authority))) {
		ret = PVM_E_STATE;
	}
	pvm_port_unlock(&vm->lock);
	pvm_port_unlock(&hyp->lock);
	return ret;
}

pvm_status_t attest_vm_seal(struct pvm_hyp *hyp, struct pvm_vm *vm,
			    const struct pvm_vm_authority *auth)
{
	struct vm_keys k;
	pvm_status_t ret;

	if (__atomic_load_n(&vm->attest.sealed, __ATOMIC_ACQUIRE))
		return auth ? PVM_E_STATE : PVM_OK;
	if (!__atomic_load_n(&hyp->attest.ready, __ATOMIC_ACQUIRE))
		return PVM_E_STATE;
	memset(&k, 0, sizeof(k));
	if (auth) {
		/*
		 * A signature that does not verify changes nothing, the RIM's
		 * freedom included: check it over the RIM as it is, then freeze
		 * only that RIM.
		 */
		uint8_t rim[PVM_SHA512_SIZE];

		ret = freeze(hyp, vm, rim, false);
		if (!ret)
			ret = verify_authority(rim, auth, k.authority);
		if (!ret)
			ret = freeze(hyp, vm, rim, true);
	} else {
		ret = freeze(hyp, vm, NULL, true);
	}
	if (ret)
		goto out;
	if (__atomic_load_n(&vm->attest.sealed, __ATOMIC_ACQUIRE)) {
		ret = auth ? PVM_E_STATE : PVM_OK; /* another caller sealed meanwhile */
		goto out;
	}
	ret = derive(hyp, vm, auth != NULL, &k) ? PVM_E_STATE : PVM_OK;
	if (!ret)
		ret = publish(hyp, vm, &k);
out:
	attest_wipe(&k, sizeof(k));
	return ret;
}

static pvm_status_t seal(struct pvm_hyp *hyp, unsigned handle, const struct pvm_vm_authority *auth)
{
	struct pvm_vm *vm;
	pvm_status_t ret;

	if (!hyp)
		return PVM_E_INVAL;
	/* A reference keeps the VM alive while the keys are derived unlocked. */
	ret = vm_get(hyp, handle, &vm);
	if (ret)
		return ret == PVM_E_BUSY ? PVM_E_STATE : ret;
	ret = attest_vm_seal(hyp, vm, auth);
	vm_put(hyp, vm);
	return ret;
}

pvm_status_t pvm_vm_seal(struct pvm_hyp *hyp, unsigned handle)
{
	return seal(hyp, handle, NULL);
}

pvm_status_t pvm_vm_seal_signed(struct pvm_hyp *hyp, unsigned handle,
				const struct pvm_vm_authority *auth)
{
	struct pvm_vm_authority copy;
	pvm_status_t ret;

	if (!hyp || !auth)
		return PVM_E_INVAL;
	/* Checked and used from the hypervisor's own copy: the caller's may change. */
	memcpy(&copy, auth, sizeof(copy));
	ret = seal(hyp, handle, &copy);
	return ret;
}

pvm_status_t attest_seal_key(const struct pvm_vm *vm, const uint8_t *ctx, size_t len,
			     uint8_t key[32])
{
	if (!vm || !key || len > PVM_SEAL_CONTEXT_MAX || (!ctx && len))
		return PVM_E_INVAL;
	if (!__atomic_load_n(&vm->attest.sealed, __ATOMIC_ACQUIRE)) {
		memset(key, 0, 32);
		return PVM_E_STATE;
	}
	return dice_seal_key(vm->attest.cdi_seal, ctx, len, key) ? PVM_E_STATE : PVM_OK;
}
