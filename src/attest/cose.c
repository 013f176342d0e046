/* SPDX-License-Identifier: Apache-2.0 */
/*
 * COSE (RFC 9052) as docs/attestation.md §3 uses it: a P-256 COSE_Key, and
 * COSE_Sign1 with ES256 over the Sig_structure.
 */
#include <libpvm/crypto.h>

#include <string.h>

#include "attest_priv.h"

#define COSE_TAG_SIGN1 18u

/* COSE labels and values (RFC 9052, RFC 9053). */
#define COSE_HDR_ALG   1
#define COSE_ALG_ES256 (-7)
#define COSE_KEY_KTY   1
#define COSE_KEY_ALG   3
#define COSE_KEY_CRV   (-1)
#define COSE_KEY_X     (-2)
#define COSE_KEY_Y     (-3)
#define COSE_KTY_EC2   2
#define COSE_CRV_P256  1
#define SIG_CONTEXT    "Signature1"

/* The protected header, bstr .cbor {1: -7}, as its bytes. */
static const uint8_t protected_hdr[] = {0xa1, 0x01, 0x26};

void cose_key(struct cbor *c, const uint8_t pub[PVM_P256_PUB_SIZE])
{
	struct cbor_map m;

	cbor_map(c, &m, 5);
	cbor_key(c, &m, COSE_KEY_KTY);
	cbor_int(c, COSE_KTY_EC2);
	cbor_key(c, &m, COSE_KEY_ALG);
	cbor_int(c, COSE_ALG_ES256);
	cbor_key(c, &m, COSE_KEY_CRV);
	cbor_int(c, COSE_CRV_P256);
	cbor_key(c, &m, COSE_KEY_X);
	cbor_bstr(c, pub + 1, 32);
	cbor_key(c, &m, COSE_KEY_Y);
	cbor_bstr(c, pub + 33, 32);
}

static void key_fn(struct cbor *c, const void *arg)
{
	cose_key(c, arg);
}

void cose_key_bstr(struct cbor *c, const uint8_t pub[PVM_P256_PUB_SIZE])
{
	cbor_bstr_cbor(c, key_fn, pub);
}

/* The COSE_Sign1 up to its payload: [tag] array(4), protected, {}. */
static void sign1_head(struct cbor *c, bool tagged)
{
	if (tagged)
		cbor_tag(c, COSE_TAG_SIGN1);
	cbor_array(c, 4);
	cbor_bstr(c, protected_hdr, sizeof(protected_hdr));
	cbor_head(c, CBOR_MAP, 0);
}

void cose_sign1(struct cbor *c, bool tagged, cbor_fn fn, const void *arg, const uint8_t *priv,
		const uint8_t *presig, uint8_t *sig_out)
{
	uint8_t digest[PVM_SHA256_SIZE], sig[PVM_P256_SIG_SIZE];
	size_t start = c->len, pstart, plen;
	struct cbor head;

	/*
	 * The signed bytes, Sig_structure = ["Signature1", protected, h'',
	 * payload], are built where the COSE_Sign1 goes: both end with the
	 * same payload byte string, and the Sig_structure is always shorter
	 * than the COSE_Sign1 (its 17-byte prefix against 6 or 7 bytes plus a
	 * 66-byte signature), so if the result fits, so does this. Then the
	 * payload moves down behind the COSE_Sign1's own prefix, and no
	 * second buffer is needed.
	 */
	cbor_array(c, 4);
	cbor_tstr(c, SIG_CONTEXT, sizeof(SIG_CONTEXT) - 1);
	cbor_bstr(c, protected_hdr, sizeof(protected_hdr));
	cbor_bstr(c, NULL, 0);
	pstart = c->len;
	cbor_bstr_cbor(c, fn, arg);
	plen = c->len - pstart;

	cbor_init(&head, NULL, 0);
	sign1_head(&head, tagged);
	if (c->err) {
		/* No room (or a bad encoding): count what the result needs. */
		c->len = start + head.len + plen;
		cbor_head(c, CBOR_BSTR, PVM_P256_SIG_SIZE);
		c->len += PVM_P256_SIG_SIZE;
		return;
	}
	if (presig) {
		memcpy(sig, presig, sizeof(sig));
	} else {
		pvm_crypto_sha256(c->buf + start, c->len - start, digest);
		if (pvm_crypto_p256_sign(priv, digest, sig)) {
			c->err = PVM_E_STATE;
			return;
		}
	}
	memmove(c->buf + start + head.len, c->buf + pstart, plen);
	c->len = start;
	sign1_head(c, tagged);
	c->len += plen;
	cbor_bstr(c, sig, sizeof(sig));
	if (sig_out)
		memcpy(sig_out, sig, sizeof(sig));
}
