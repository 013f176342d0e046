/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Open Profile for DICE derivations (docs/attestation.md §2): CDIs of one
 * layer from the previous one, ASYM_KDF, IDs, sealing keys. Every KDF is
 * HKDF-SHA512 through the engine (crypto.h); nothing here keeps state.
 */
#include <libpvm/crypto.h>

#include <string.h>

#include "attest_priv.h"

/* The profile's ASYM_SALT (Open Profile for DICE, "Salt"). */
const uint8_t dice_asym_salt[64] = {
	0x63, 0xb6, 0xa0, 0x4d, 0x2c, 0x07, 0x7f, 0xc1, 0x0f, 0x63, 0x9f, 0x21, 0xda,
	0x79, 0x38, 0x44, 0x35, 0x6c, 0xc2, 0xb0, 0xb4, 0x41, 0xb3, 0xa7, 0x71, 0x24,
	0x03, 0x5c, 0x03, 0xf8, 0xe1, 0xbe, 0x60, 0x35, 0xd3, 0x1f, 0x28, 0x28, 0x21,
	0xa7, 0x45, 0x0a, 0x02, 0x22, 0x2a, 0xb1, 0xb3, 0xcf, 0xf1, 0x67, 0x9b, 0x05,
	0xab, 0x1c, 0xa5, 0xd1, 0xaf, 0xfb, 0x78, 0x9c, 0xcd, 0x2b, 0x0b, 0x3b,
};

/* The profile's ID_SALT. */
const uint8_t dice_id_salt[64] = {
	0xdb, 0xdb, 0xae, 0xbc, 0x80, 0x20, 0xda, 0x9f, 0xf0, 0xdd, 0x5a, 0x24, 0xc8,
	0x3a, 0xa5, 0xa5, 0x42, 0x86, 0xdf, 0xc2, 0x63, 0x03, 0x1e, 0x32, 0x9b, 0x4d,
	0xa1, 0x48, 0x43, 0x06, 0x59, 0xfe, 0x62, 0xcd, 0xb5, 0xb7, 0xe1, 0xe0, 0x0f,
	0xc6, 0x80, 0x30, 0x67, 0x11, 0xeb, 0x44, 0x4a, 0xf7, 0x72, 0x09, 0x35, 0x94,
	0x96, 0xfc, 0xff, 0x1d, 0xb9, 0x52, 0x0b, 0xa5, 0x1c, 0x7b, 0x29, 0xea,
};

static pvm_status_t kdf(size_t len, const uint8_t *ikm, size_t ikm_len, const uint8_t *salt,
			size_t salt_len, const char *info, uint8_t *out)
{
	size_t n = 0;

	while (info[n])
		n++;
	return pvm_crypto_hkdf_sha512(salt, salt_len, ikm, ikm_len, (const uint8_t *)info, n, out,
				      len);
}

pvm_status_t dice_cdis(const uint8_t attest_in[DICE_CDI_SIZE], const uint8_t seal_in[DICE_CDI_SIZE],
		       const struct dice_inputs *in, uint8_t attest_out[DICE_CDI_SIZE],
		       uint8_t seal_out[DICE_CDI_SIZE])
{
	static const uint8_t zeroes[DICE_INPUT_SIZE];
	const uint8_t *hidden = in->hidden ? in->hidden : zeroes;
	uint8_t salt[PVM_SHA512_SIZE];
	struct pvm_sha512_ctx h;
	pvm_status_t ret;

	/* CDI_Attest: H(code ‖ config ‖ authority ‖ mode ‖ hidden) as the salt. */
	pvm_crypto_sha512_init(&h);
	pvm_crypto_sha512_update(&h, in->code, DICE_INPUT_SIZE);
	pvm_crypto_sha512_update(&h, in->config, DICE_INPUT_SIZE);
	pvm_crypto_sha512_update(&h, in->authority, DICE_INPUT_SIZE);
	pvm_crypto_sha512_update(&h, &in->mode, 1);
	pvm_crypto_sha512_update(&h, hidden, DICE_INPUT_SIZE);
	pvm_crypto_sha512_final(&h, salt);
	ret = kdf(DICE_CDI_SIZE, attest_in, DICE_CDI_SIZE, salt, sizeof(salt), "CDI_Attest",
		  attest_out);
	if (ret)
		return ret;

	/*
	 * CDI_Seal: H(authority ‖ mode ‖ hidden), without the code: with a
	 * verified authority, updates it signs keep their sealing keys; without
	 * one the caller passes the code as the hidden input.
	 */
	pvm_crypto_sha512_init(&h);
	pvm_crypto_sha512_update(&h, in->authority, DICE_INPUT_SIZE);
	pvm_crypto_sha512_update(&h, &in->mode, 1);
	pvm_crypto_sha512_update(&h, hidden, DICE_INPUT_SIZE);
	pvm_crypto_sha512_final(&h, salt);
	ret = kdf(DICE_CDI_SIZE, seal_in, DICE_CDI_SIZE, salt, sizeof(salt), "CDI_Seal", seal_out);
	if (ret)
		attest_wipe(attest_out, DICE_CDI_SIZE);
	return ret;
}

pvm_status_t dice_asym_seed(const uint8_t ikm[DICE_CDI_SIZE], uint8_t seed[32])
{
	return kdf(32, ikm, DICE_CDI_SIZE, dice_asym_salt, sizeof(dice_asym_salt), "Key Pair",
		   seed);
}

pvm_status_t dice_asym_kdf(const uint8_t ikm[DICE_CDI_SIZE], uint8_t priv[PVM_P256_PRIV_SIZE],
			   uint8_t pub[PVM_P256_PUB_SIZE])
{
	uint8_t seed[32];
	pvm_status_t ret;

	ret = dice_asym_seed(ikm, seed);
	if (!ret)
		ret = pvm_crypto_p256_keypair(seed, priv, pub);
	attest_wipe(seed, sizeof(seed));
	return ret;
}

pvm_status_t dice_id(const uint8_t pub[PVM_P256_PUB_SIZE], uint8_t id[DICE_ID_SIZE])
{
	pvm_status_t ret;

	ret = kdf(DICE_ID_SIZE, pub, PVM_P256_PUB_SIZE, dice_id_salt, sizeof(dice_id_salt), "ID",
		  id);
	/*
	 * The profile's DICE_ID is these 20 bytes "with the most significant
	 * bit cleared, interpreted as a big-endian integer", and its reference
	 * implementation clears it for CBOR certificates too: an ID this side
	 * writes must be the one any other profile verifier derives.
	 */
	if (!ret)
		id[0] &= 0x7f;
	return ret;
}

void dice_hex_id(const uint8_t id[DICE_ID_SIZE], char hex[DICE_HEX_ID_SIZE])
{
	static const char digits[] = "0123456789abcdef";
	unsigned i;

	for (i = 0; i < DICE_ID_SIZE; i++) {
		hex[2 * i] = digits[id[i] >> 4];
		hex[2 * i + 1] = digits[id[i] & 15];
	}
}

pvm_status_t dice_seal_key(const uint8_t cdi_seal[DICE_CDI_SIZE], const uint8_t *ctx, size_t len,
			   uint8_t key[32])
{
	return kdf(32, cdi_seal, DICE_CDI_SIZE, ctx, len, "libpvm sealing key", key);
}
