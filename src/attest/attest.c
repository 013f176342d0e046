/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device and hypervisor DICE layers (docs/attestation.md §2, §4): the
 * root key from the UDS, the hypervisor's CDIs and key, and its certificate
 * signed by the root key. Runs once, at boot.
 */
#include <libpvm/attest.h>

#include <string.h>

#include "attest_priv.h"
#include "attest_state.h"
#include "../hyp_internal.h"

/*
 * Everything pvm_attest_init() computes, into @st. The port gives the
 * hypervisor's configuration only as a 64-byte value; that value is the
 * certificate's configurationDescriptor, and the configuration input of
 * the CDIs is its hash, which the certificate carries as
 * configurationHash, so that configurationHash = H(configurationDescriptor)
 * holds in every certificate as the profile requires.
 */
static pvm_status_t derive(struct attest_hyp *st, const struct pvm_attest_config *cfg)
{
	uint8_t root_priv[PVM_P256_PRIV_SIZE], root_id[DICE_ID_SIZE];
	uint8_t config[PVM_SHA512_SIZE];
	struct pvm_sha512_ctx h;
	struct dice_inputs in;
	struct cert_claims cl;
	struct cbor c;
	size_t len;
	pvm_status_t ret;

	ret = dice_asym_kdf(cfg->uds, root_priv, st->root_pub);
	if (!ret)
		ret = dice_id(st->root_pub, root_id);
	if (ret)
		goto out;

	pvm_crypto_sha512_init(&h);
	pvm_crypto_sha512_update(&h, cfg->config_hash, sizeof(cfg->config_hash));
	pvm_crypto_sha512_final(&h, config);
	in = (struct dice_inputs){.code = cfg->code_hash,
				  .config = config,
				  .authority = cfg->authority_hash,
				  .mode = cfg->mode};
	ret = dice_cdis(cfg->uds, cfg->uds, &in, st->cdi_attest, st->cdi_seal);
	if (!ret)
		ret = dice_asym_kdf(st->cdi_attest, st->priv, st->pub);
	if (!ret)
		ret = dice_id(st->pub, st->id);
	if (ret)
		goto out;

	cl = (struct cert_claims){.iss = root_id,
				  .sub = st->id,
				  .code = cfg->code_hash,
				  .config_desc = cfg->config_hash,
				  .config_desc_len = sizeof(cfg->config_hash),
				  .config_hash = config,
				  .authority = cfg->authority_hash,
				  .mode = cfg->mode,
				  .pub = st->pub};
	cbor_init(&c, st->cert, sizeof(st->cert));
	cert_encode(&c, &cl, root_priv, NULL, NULL);
	ret = cbor_status(&c, &len);
	if (ret)
		ret = PVM_E_STATE; /* the certificate has a fixed size that fits */
	else
		st->cert_len = (uint16_t)len;
out:
	/* The root private key exists only to sign this certificate (DICE flow, step 6). */
	attest_wipe(root_priv, sizeof(root_priv));
	return ret;
}

pvm_status_t pvm_attest_init(struct pvm_hyp *hyp, const struct pvm_attest_config *cfg)
{
	pvm_status_t ret;

	if (!hyp || !cfg || cfg->mode > 3)
		return PVM_E_INVAL;
	/*
	 * Boot time, before any VM exists: nothing contends for the lock, so
	 * the derivation (a few ms) runs under it and a second call cannot
	 * race the first. Readers elsewhere test `ready` (acquire) without
	 * the lock; everything else is written before it is set (release).
	 */
	pvm_port_lock(&hyp->lock);
	if (hyp->attest.ready) {
		ret = PVM_E_STATE;
	} else {
		ret = derive(&hyp->attest, cfg);
		if (ret) {
			attest_wipe(&hyp->attest, sizeof(hyp->attest));
			ret = PVM_E_STATE;
		} else {
			__atomic_store_n(&hyp->attest.ready, true, __ATOMIC_RELEASE);
		}
	}
	pvm_port_unlock(&hyp->lock);
	return ret;
}

pvm_status_t pvm_attest_root_key(struct pvm_hyp *hyp, uint8_t pub[PVM_P256_PUB_SIZE])
{
	if (!hyp || !pub)
		return PVM_E_INVAL;
	if (!__atomic_load_n(&hyp->attest.ready, __ATOMIC_ACQUIRE))
		return PVM_E_STATE;
	memcpy(pub, hyp->attest.root_pub, PVM_P256_PUB_SIZE);
	return PVM_OK;
}
