/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The attestation token (docs/attestation.md §5): Arm CCA realm-token
 * claim labels in a COSE_Sign1 (tag 18) signed by the VM's attestation key.
 */
#include "attest_priv.h"

#define TOKEN_CHALLENGE	  10
#define TOKEN_PROFILE	  265
#define TOKEN_RPV	  44235
#define TOKEN_HASH_ALG	  44236
#define TOKEN_PUB_KEY	  44237
#define TOKEN_RIM	  44238
#define TOKEN_REM	  44239
#define TOKEN_PROFILE_STR "tag:libpvm.dev,2026:pvm#1.0"
#define TOKEN_HASH_STR	  "sha-512"

static void claims(struct cbor *c, const void *arg)
{
	const struct token_claims *cl = arg;
	struct cbor_map m;
	unsigned i;

	/* All labels unsigned: increasing value is the deterministic order. */
	cbor_map(c, &m, 7);
	cbor_key(c, &m, TOKEN_CHALLENGE);
	cbor_bstr(c, cl->challenge, cl->challenge_len);
	cbor_key(c, &m, TOKEN_PROFILE);
	cbor_tstr(c, TOKEN_PROFILE_STR, sizeof(TOKEN_PROFILE_STR) - 1);
	cbor_key(c, &m, TOKEN_RPV);
	cbor_bstr(c, cl->rpv, PVM_RPV_SIZE);
	cbor_key(c, &m, TOKEN_HASH_ALG);
	cbor_tstr(c, TOKEN_HASH_STR, sizeof(TOKEN_HASH_STR) - 1);
	cbor_key(c, &m, TOKEN_PUB_KEY);
	cose_key_bstr(c, cl->pub);
	cbor_key(c, &m, TOKEN_RIM);
	cbor_bstr(c, cl->rim, PVM_SHA512_SIZE);
	cbor_key(c, &m, TOKEN_REM);
	cbor_array(c, PVM_REM_COUNT);
	for (i = 0; i < PVM_REM_COUNT; i++)
		cbor_bstr(c, cl->rem[i], PVM_SHA512_SIZE);
}

void token_encode(struct cbor *c, const struct token_claims *cl, const uint8_t *priv)
{
	cose_sign1(c, true, claims, cl, priv, NULL, NULL);
}
