/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CBOR CDI certificates (docs/attestation.md §4): a CWT claims map with the
 * profile's labels, in an untagged COSE_Sign1.
 */
#include "attest_priv.h"

#define CWT_ISS		   1
#define CWT_SUB		   2
#define DICE_CODE_HASH	   (-4670545)
#define DICE_CONFIG_HASH   (-4670547)
#define DICE_CONFIG_DESC   (-4670548)
#define DICE_AUTHORITY	   (-4670549)
#define DICE_MODE	   (-4670551)
#define DICE_SUBJECT_KEY   (-4670552)
#define DICE_KEY_USAGE	   (-4670553)
#define DICE_PROFILE_NAME  (-4670554)
#define KEY_USAGE_CERTSIGN 0x20 /* X.509 keyCertSign (bit 5), little-endian bytes */
#define PROFILE_NAME	   "libpvm.dice.v1"

static void hex_id(struct cbor *c, const uint8_t id[DICE_ID_SIZE])
{
	char hex[DICE_HEX_ID_SIZE];

	dice_hex_id(id, hex);
	cbor_tstr(c, hex, sizeof(hex));
}

static void claims(struct cbor *c, const void *arg)
{
	static const uint8_t key_usage = KEY_USAGE_CERTSIGN;
	const struct cert_claims *cl = arg;
	struct cbor_map m;

	/*
	 * Deterministic order: the unsigned labels, then the negative ones by
	 * increasing encoded argument, i.e. decreasing value (-4670547, the
	 * configuration hash, before -4670548, its descriptor).
	 */
	cbor_map(c, &m, 10);
	cbor_key(c, &m, CWT_ISS);
	hex_id(c, cl->iss);
	cbor_key(c, &m, CWT_SUB);
	hex_id(c, cl->sub);
	cbor_key(c, &m, DICE_CODE_HASH);
	cbor_bstr(c, cl->code, DICE_INPUT_SIZE);
	cbor_key(c, &m, DICE_CONFIG_HASH);
	cbor_bstr(c, cl->config_hash, PVM_SHA512_SIZE);
	cbor_key(c, &m, DICE_CONFIG_DESC);
	cbor_bstr(c, cl->config_desc, cl->config_desc_len);
	cbor_key(c, &m, DICE_AUTHORITY);
	cbor_bstr(c, cl->authority, DICE_INPUT_SIZE);
	cbor_key(c, &m, DICE_MODE);
	cbor_bstr(c, &cl->mode, 1);
	cbor_key(c, &m, DICE_SUBJECT_KEY);
	cose_key_bstr(c, cl->pub);
	cbor_key(c, &m, DICE_KEY_USAGE);
	cbor_bstr(c, &key_usage, 1);
	cbor_key(c, &m, DICE_PROFILE_NAME);
	cbor_tstr(c, PROFILE_NAME, sizeof(PROFILE_NAME) - 1);
}

void cert_encode(struct cbor *c, const struct cert_claims *cl, const uint8_t *priv,
		 const uint8_t *presig, uint8_t *sig_out)
{
	/* Certificates are untagged, as the profile requires. */
	cose_sign1(c, false, claims, cl, priv, presig, sig_out);
}
