/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The verifier of docs/attestation.md: CBOR through libcbor, cryptography
 * through OpenSSL 3.
 *
 * Input is hostile. libcbor builds a tree from whatever it is given and
 * allocates as much as a length field claims, so nothing reaches it before
 * scan() has walked the bytes once, without recursion: every length fits in
 * what is left, every container's item count could be met by what is left
 * (so libcbor's allocations are bounded by the input size), the encoding is
 * the deterministic one, and nesting stays shallow (so libcbor's recursive
 * free cannot run deep). Signatures are checked before the payload they
 * cover is decoded, in the chain's order: each payload this file parses was
 * signed by a key the previous step trusted.
 */
#include <libpvm/verify.h>

#include <cbor.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include <stdlib.h>
#include <string.h>

/* Open Profile for DICE: the salt of ID derivation. */
static const uint8_t id_salt[64] = {
	0xdb, 0xdb, 0xae, 0xbc, 0x80, 0x20, 0xda, 0x9f, 0xf0, 0xdd, 0x5a, 0x24, 0xc8,
	0x3a, 0xa5, 0xa5, 0x42, 0x86, 0xdf, 0xc2, 0x63, 0x03, 0x1e, 0x32, 0x9b, 0x4d,
	0xa1, 0x48, 0x43, 0x06, 0x59, 0xfe, 0x62, 0xcd, 0xb5, 0xb7, 0xe1, 0xe0, 0x0f,
	0xc6, 0x80, 0x30, 0x67, 0x11, 0xeb, 0x44, 0x4a, 0xf7, 0x72, 0x09, 0x35, 0x94,
	0x96, 0xfc, 0xff, 0x1d, 0xb9, 0x52, 0x0b, 0xa5, 0x1c, 0x7b, 0x29, 0xea,
};

/* The P-256 field prime: coordinates at or above it are not canonical. */
static const uint8_t p256_p[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

/* Protected header {1: -7}, the only one ES256 evidence has. */
static const uint8_t es256_protected[3] = {0xa1, 0x01, 0x26};

#define COSE_TAG_SIGN1	    18
#define KEY_USAGE_CERT_SIGN 0x20
#define SIG_SIZE	    64
#define ID_SIZE		    20
#define ID_HEX_LEN	    (2 * ID_SIZE)
#define COSE_KEY_SIZE	    77 /* {1: 2, 3: -7, -1: 1, -2: bstr(32), -3: bstr(32)} */
#define HYP_CONFIG_SIZE	    64 /* the port's configuration value (§2) */
/* Evidence nests 4 deep (array, tag, COSE array, header map); a payload 2. */
#define SCAN_DEPTH 8

#define TOKEN_PROFILE	    "tag:libpvm.dev,2026:pvm#1.0"
#define TOKEN_HASH_ALG	    "sha-512"
#define CERT_PROFILE	    "libpvm.dice.v1"
#define VM_CONFIG_MAGIC	    "libpvm VM config v1"
#define VM_CONFIG_MAGIC_LEN 19

/* CWT / DICE certificate labels (§4) and realm-token labels (§5). */
enum {
	L_ISS = 1,
	L_SUB = 2,
	L_CODE_HASH = -4670545,
	L_CONFIG_HASH = -4670547,
	L_CONFIG_DESC = -4670548,
	L_AUTHORITY_HASH = -4670549,
	L_MODE = -4670551,
	L_SUBJECT_KEY = -4670552,
	L_KEY_USAGE = -4670553,
	L_PROFILE_NAME = -4670554,
	L_CHALLENGE = 10,
	L_PROFILE = 265,
	L_RPV = 44235,
	L_HASH_ALG = 44236,
	L_PUBLIC_KEY = 44237,
	L_RIM = 44238,
	L_REMS = 44239,
};

/* ---- Well-formedness, before libcbor sees anything ---- */

static uint64_t be_load(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * Walk the one data item at p[0..len) and report its size in *used. A stack
 * of "items still owed" per open container replaces recursion. Tags are
 * refused unless @tags: below the token's own tag there are none.
 */
static int scan(const uint8_t *p, size_t len, bool tags, size_t *used)
{
	static const uint64_t shortest[4] = {24, 0x100, 0x10000, 0x100000000ull};
	uint64_t owed[SCAN_DEPTH + 1];
	int depth = 0;
	size_t off = 0;

	owed[0] = 1;
	while (depth >= 0) {
		if (owed[depth] == 0) {
			depth--;
			continue;
		}
		owed[depth]--;
		if (off >= len)
			return PVM_VERIFY_E_CBOR;
		unsigned major = p[off] >> 5, ai = p[off] & 31;
		uint64_t arg = ai, push = 0;

		off++;
		if (ai >= 24 && ai <= 27) {
			size_t n = (size_t)1 << (ai - 24);

			if (len - off < n)
				return PVM_VERIFY_E_CBOR;
			arg = be_load(p + off, n);
			off += n;
			/* Floats (major 7, 25-27) are not lengths: no shortest rule. */
			if (major == 7 && ai == 24 && arg < 32)
				return PVM_VERIFY_E_CBOR; /* a simple value in two bytes */
			if (major != 7 && arg < shortest[ai - 24])
				return PVM_VERIFY_E_NONCANONICAL;
		} else if (ai == 31) {
			/* Indefinite strings and containers are well-formed but not
			 * deterministic; a break or an indefinite int is malformed. */
			return (major >= 2 && major <= 5) ? PVM_VERIFY_E_NONCANONICAL
							  : PVM_VERIFY_E_CBOR;
		} else if (ai > 27) {
			return PVM_VERIFY_E_CBOR; /* reserved */
		}

		switch (major) {
		case 2:
		case 3:
			if (arg > len - off)
				return PVM_VERIFY_E_CBOR;
			off += (size_t)arg;
			break;
		case 4: /* each item takes at least a byte */
			if (arg > len - off)
				return PVM_VERIFY_E_CBOR;
			push = arg;
			break;
		case 5:
			if (arg > (len - off) / 2)
				return PVM_VERIFY_E_CBOR;
			push = 2 * arg;
			break;
		case 6:
			if (!tags)
				return PVM_VERIFY_E_STRUCTURE;
			push = 1;
			break;
		default: /* integers, simple values, floats */
			continue;
		}
		if (major >= 4) {
			if (depth == SCAN_DEPTH)
				return PVM_VERIFY_E_STRUCTURE;
			owed[++depth] = push;
		}
	}
	*used = off;
	return PVM_VERIFY_OK;
}

/*
 * Decode exactly p[0..len), which holds no tag, into a libcbor tree. (libcbor
 * 0.8 cannot decode the one-byte heads of tags 6 to 20, COSE_Sign1's 18
 * among them: the evidence's framing is walked by hand, see check_all().)
 */
static int decode(const uint8_t *p, size_t len, cbor_item_t **item)
{
	struct cbor_load_result res;
	size_t used = 0;
	int ret;

	*item = NULL;
	ret = scan(p, len, false, &used);
	if (ret)
		return ret;
	if (used != len)
		return PVM_VERIFY_E_TRAILING;
	*item = cbor_load(p, len, &res);
	if (!*item)
		return res.error.code == CBOR_ERR_MEMERROR ? PVM_VERIFY_E_INTERNAL
							   : PVM_VERIFY_E_CBOR;
	if (res.read != len) {
		cbor_decref(item);
		return PVM_VERIFY_E_TRAILING;
	}
	return PVM_VERIFY_OK;
}

/* ---- libcbor accessors that cannot be misled ---- */

static bool is_bstr(const cbor_item_t *it)
{
	return cbor_isa_bytestring(it) && cbor_bytestring_is_definite(it);
}

static bool is_tstr(const cbor_item_t *it)
{
	return cbor_isa_string(it) && cbor_string_is_definite(it);
}

static bool bytes_eq(const uint8_t *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static bool bstr_eq(const cbor_item_t *it, const void *data, size_t len)
{
	return bytes_eq(cbor_bytestring_handle(it), cbor_bytestring_length(it), data, len);
}

static bool tstr_eq(const cbor_item_t *it, const char *s)
{
	return is_tstr(it) &&
	       bytes_eq(cbor_string_handle(it), cbor_string_length(it), s, strlen(s));
}

/* Copy a byte string that must be exactly @size bytes. */
static int bstr_get(const cbor_item_t *it, void *dst, size_t size)
{
	if (cbor_bytestring_length(it) != size)
		return PVM_VERIFY_E_SIZE;
	if (size)
		memcpy(dst, cbor_bytestring_handle(it), size);
	return PVM_VERIFY_OK;
}

/* ---- Cryptography (OpenSSL) ---- */

static void hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int pvm_verify_id(const uint8_t pub[PVM_VERIFY_PUB_SIZE], char out[PVM_VERIFY_ID_HEX_SIZE])
{
	EVP_KDF *kdf;
	EVP_KDF_CTX *kctx;
	uint8_t id[ID_SIZE];
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA512", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)(uintptr_t)pub,
						  PVM_VERIFY_PUB_SIZE),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)(uintptr_t)id_salt,
						  sizeof(id_salt)),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (char *)"ID", 2),
		OSSL_PARAM_construct_end(),
	};
	int ok;

	if (!pub || !out)
		return PVM_VERIFY_E_INVAL;
	kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
	kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	EVP_KDF_free(kdf);
	ok = kctx && EVP_KDF_derive(kctx, id, sizeof(id), params) == 1;
	EVP_KDF_CTX_free(kctx);
	if (!ok) {
		ERR_clear_error();
		out[0] = '\0';
		return PVM_VERIFY_E_INTERNAL;
	}
	id[0] &= 0x7f; /* the profile's DICE_ID: a big-endian integer with its top bit clear */
	hex(id, sizeof(id), out);
	return PVM_VERIFY_OK;
}

/* 1: an uncompressed point on P-256 with canonical coordinates; 0: not; -1: engine failure. */
static int point_check(const uint8_t pub[PVM_VERIFY_PUB_SIZE])
{
	EC_GROUP *g;
	EC_POINT *pt = NULL;
	int ret = -1;

	if (pub[0] != 0x04 || memcmp(pub + 1, p256_p, 32) >= 0 || memcmp(pub + 33, p256_p, 32) >= 0)
		return 0;
	g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	if (g)
		pt = EC_POINT_new(g);
	if (pt) {
		/* oct2point rejects most bad points itself; is_on_curve says so for sure. */
		ret = EC_POINT_oct2point(g, pt, pub, PVM_VERIFY_PUB_SIZE, NULL) == 1 &&
		      EC_POINT_is_on_curve(g, pt, NULL) == 1;
	}
	EC_POINT_free(pt);
	EC_GROUP_free(g);
	ERR_clear_error();
	return ret;
}

static EVP_PKEY *pkey_from_point(const uint8_t pub[PVM_VERIFY_PUB_SIZE])
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"prime256v1",
						 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)(uintptr_t)pub,
						  PVM_VERIFY_PUB_SIZE),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pkey = NULL;

	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* ES256 over a digest. 1: valid; 0: not; -1: engine failure. */
static int es256_verify(const uint8_t pub[PVM_VERIFY_PUB_SIZE], const uint8_t digest[32],
			const uint8_t sig[SIG_SIZE])
{
	EVP_PKEY *pkey = pkey_from_point(pub);
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, 32, NULL), *s = BN_bin2bn(sig + 32, 32, NULL);
	EVP_PKEY_CTX *ctx = NULL;
	unsigned char *der = NULL;
	int der_len = -1, ret = -1;

	if (pkey && es && r && s && ECDSA_SIG_set0(es, r, s) == 1) {
		r = s = NULL; /* owned by es now */
		der_len = i2d_ECDSA_SIG(es, &der);
	}
	if (der_len > 0)
		ctx = EVP_PKEY_CTX_new(pkey, NULL);
	if (ctx && EVP_PKEY_verify_init(ctx) == 1) {
		/* 0 is a bad signature; below 0 a signature it cannot even
		 * use (r or s zero or too big): bad as well. */
		ret = EVP_PKEY_verify(ctx, der, (size_t)der_len, digest, 32) == 1;
	}
	EVP_PKEY_CTX_free(ctx);
	OPENSSL_free(der);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return ret;
}

/*
 * 1: s (the second half of r ‖ s) is at most n/2, the low-S form of §3;
 * 0: it is the other member of the pair; -1: engine failure.
 */
static int low_s(const uint8_t sig[SIG_SIZE])
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BIGNUM *half = BN_new(), *s = BN_bin2bn(sig + 32, 32, NULL);
	int ret = -1;

	if (g && half && s && BN_rshift1(half, EC_GROUP_get0_order(g)) == 1)
		ret = BN_cmp(s, half) <= 0;
	BN_free(s);
	BN_free(half);
	EC_GROUP_free(g);
	ERR_clear_error();
	return ret;
}

/* ---- COSE ---- */

struct sign1 {
	const uint8_t *prot;
	size_t prot_len;
	const uint8_t *payload;
	size_t payload_len;
	const uint8_t *sig;
};

/*
 * Check the shape of the COSE_Sign1 at p[0..len) (tagged 18 if @tagged,
 * untagged otherwise) and decode it into *tree, which @s points into.
 */
static int sign1_parse(const uint8_t *p, size_t len, bool tagged, cbor_item_t **tree,
		       struct sign1 *s)
{
	cbor_item_t **a;
	int ret;

	/* scan() let only the deterministic encoding through: tag 18 is the
	 * single byte 0xd2, an array of four the single byte 0x84. */
	if (p[0] >> 5 == 6) {
		if (!tagged)
			return PVM_VERIFY_E_CERT_TAG;
		if (p[0] != 0xc0 + COSE_TAG_SIGN1)
			return PVM_VERIFY_E_TOKEN_TAG;
		p++;
		len--;
	} else if (tagged) {
		return PVM_VERIFY_E_TOKEN_TAG;
	}
	if (p[0] != 0x84)
		return PVM_VERIFY_E_COSE;
	ret = decode(p, len, tree);
	if (ret)
		return ret;
	a = cbor_array_handle(*tree);
	if (!is_bstr(a[0]) || !cbor_isa_map(a[1]) || !is_bstr(a[2]) || !is_bstr(a[3]))
		return PVM_VERIFY_E_COSE;
	if (!bstr_eq(a[0], es256_protected, sizeof(es256_protected)))
		return PVM_VERIFY_E_PROTECTED;
	if (cbor_map_size(a[1]) != 0)
		return PVM_VERIFY_E_UNPROTECTED;
	if (cbor_bytestring_length(a[3]) != SIG_SIZE)
		return PVM_VERIFY_E_SIZE;
	s->prot = cbor_bytestring_handle(a[0]);
	s->prot_len = cbor_bytestring_length(a[0]);
	s->payload = cbor_bytestring_handle(a[2]);
	s->payload_len = cbor_bytestring_length(a[2]);
	s->sig = cbor_bytestring_handle(a[3]);
	return PVM_VERIFY_OK;
}

static size_t put_head(uint8_t *p, unsigned major, uint64_t arg)
{
	size_t n;

	if (arg < 24) {
		p[0] = (uint8_t)(major << 5 | arg);
		return 1;
	}
	n = arg <= 0xff ? 1 : arg <= 0xffff ? 2 : arg <= 0xffffffffu ? 4 : 8;
	p[0] = (uint8_t)(major << 5 | (n == 1 ? 24 : n == 2 ? 25 : n == 4 ? 26 : 27));
	for (size_t i = 0; i < n; i++)
		p[1 + i] = (uint8_t)(arg >> (8 * (n - 1 - i)));
	return 1 + n;
}

/* ES256 check of a COSE_Sign1: SHA-256 of ["Signature1", protected, h'', payload]. */
static int sign1_verify(const struct sign1 *s, const uint8_t pub[PVM_VERIFY_PUB_SIZE], int bad_sig)
{
	static const uint8_t context[] = {0x84, 0x6a, 'S', 'i', 'g', 'n',
					  'a',	't',  'u', 'r', 'e', '1'};
	size_t max = sizeof(context) + 9 + s->prot_len + 1 + 9 + s->payload_len, n = 0;
	uint8_t *buf = malloc(max), digest[32];
	int ok;

	if (!buf)
		return PVM_VERIFY_E_INTERNAL;
	memcpy(buf, context, sizeof(context));
	n = sizeof(context);
	n += put_head(buf + n, 2, s->prot_len);
	memcpy(buf + n, s->prot, s->prot_len);
	n += s->prot_len;
	buf[n++] = 0x40;
	n += put_head(buf + n, 2, s->payload_len);
	if (s->payload_len)
		memcpy(buf + n, s->payload, s->payload_len);
	n += s->payload_len;
	SHA256(buf, n, digest);
	free(buf);
	ok = es256_verify(pub, digest, s->sig);
	if (ok < 0)
		return PVM_VERIFY_E_INTERNAL;
	if (!ok)
		return bad_sig;
	/* A valid signature, but only one of each pair (s, n - s) is evidence. */
	ok = low_s(s->sig);
	if (ok < 0)
		return PVM_VERIFY_E_INTERNAL;
	return ok ? PVM_VERIFY_OK : PVM_VERIFY_E_HIGH_S;
}

/* A COSE_Key in a byte string: exactly {1: 2, 3: -7, -1: 1, -2: x, -3: y}, on the curve. */
static int cose_key_parse(const cbor_item_t *bstr, uint8_t pub[PVM_VERIFY_PUB_SIZE])
{
	cbor_item_t *map = NULL;
	struct cbor_pair *kv;
	int ret, on;

	/* Deterministic CBOR of exactly that map is 77 bytes, no other size. */
	if (cbor_bytestring_length(bstr) != COSE_KEY_SIZE)
		return PVM_VERIFY_E_KEY;
	ret = decode(cbor_bytestring_handle(bstr), cbor_bytestring_length(bstr), &map);
	if (ret)
		return ret == PVM_VERIFY_E_INTERNAL ? ret : PVM_VERIFY_E_KEY;
	ret = PVM_VERIFY_E_KEY;
	if (!cbor_isa_map(map) || cbor_map_size(map) != 5)
		goto out;
	kv = cbor_map_handle(map);
	/* Deterministic order: 1, 3, -1, -2, -3. */
	if (!cbor_isa_uint(kv[0].key) || cbor_get_int(kv[0].key) != 1 ||
	    !cbor_isa_uint(kv[0].value) || cbor_get_int(kv[0].value) != 2)
		goto out;
	if (!cbor_isa_uint(kv[1].key) || cbor_get_int(kv[1].key) != 3 ||
	    !cbor_isa_negint(kv[1].value) || cbor_get_int(kv[1].value) != 6)
		goto out;
	if (!cbor_isa_negint(kv[2].key) || cbor_get_int(kv[2].key) != 0 ||
	    !cbor_isa_uint(kv[2].value) || cbor_get_int(kv[2].value) != 1)
		goto out;
	if (!cbor_isa_negint(kv[3].key) || cbor_get_int(kv[3].key) != 1 || !is_bstr(kv[3].value) ||
	    cbor_bytestring_length(kv[3].value) != 32)
		goto out;
	if (!cbor_isa_negint(kv[4].key) || cbor_get_int(kv[4].key) != 2 || !is_bstr(kv[4].value) ||
	    cbor_bytestring_length(kv[4].value) != 32)
		goto out;
	pub[0] = 0x04;
	memcpy(pub + 1, cbor_bytestring_handle(kv[3].value), 32);
	memcpy(pub + 33, cbor_bytestring_handle(kv[4].value), 32);
	on = point_check(pub);
	ret = on < 0 ? PVM_VERIFY_E_INTERNAL : on ? PVM_VERIFY_OK : PVM_VERIFY_E_KEY_POINT;
out:
	if (map)
		cbor_decref(&map);
	return ret;
}

/* ---- Claims maps ---- */

struct claim {
	int64_t label;
	cbor_type type;
	cbor_item_t *val; /* found, or NULL */
};

/*
 * Match a map's entries with a table of the claims it may have: integer
 * labels only, in deterministic order (unsigned before negative, then by
 * argument, so none is there twice), each known and of its type, every one
 * of the table present: the profile has no optional claim.
 */
static int claims_parse(cbor_item_t *map, struct claim *tab, size_t n)
{
	struct cbor_pair *kv;
	unsigned prev_major = 0;
	uint64_t prev_arg = 0;

	if (!cbor_isa_map(map))
		return PVM_VERIFY_E_PAYLOAD;
	kv = cbor_map_handle(map);
	for (size_t i = 0; i < cbor_map_size(map); i++) {
		cbor_item_t *k = kv[i].key;
		unsigned major;
		uint64_t arg;
		int64_t label;
		size_t j;

		if (!cbor_isa_uint(k) && !cbor_isa_negint(k))
			return PVM_VERIFY_E_CLAIM_UNKNOWN;
		major = cbor_isa_uint(k) ? 0 : 1;
		arg = cbor_get_int(k);
		if (i && (major < prev_major || (major == prev_major && arg <= prev_arg)))
			return PVM_VERIFY_E_NONCANONICAL;
		prev_major = major;
		prev_arg = arg;
		if (arg > INT64_MAX)
			return PVM_VERIFY_E_CLAIM_UNKNOWN;
		label = major ? -1 - (int64_t)arg : (int64_t)arg;
		for (j = 0; j < n && tab[j].label != label; j++)
			;
		if (j == n)
			return PVM_VERIFY_E_CLAIM_UNKNOWN;
		if (cbor_typeof(kv[i].value) != tab[j].type)
			return PVM_VERIFY_E_CLAIM_TYPE;
		tab[j].val = kv[i].value;
	}
	for (size_t j = 0; j < n; j++) {
		if (!tab[j].val)
			return PVM_VERIFY_E_CLAIM_MISSING;
	}
	return PVM_VERIFY_OK;
}

/* ---- Certificates (§4) ---- */

struct cert {
	uint8_t code_hash[PVM_VERIFY_HASH_SIZE];
	uint8_t config_hash[PVM_VERIFY_HASH_SIZE];
	uint8_t authority_hash[PVM_VERIFY_HASH_SIZE];
	uint8_t mode;
	uint8_t pub[PVM_VERIFY_PUB_SIZE];
	char sub[PVM_VERIFY_ID_HEX_SIZE];
	uint8_t vm_config[PVM_VERIFY_VM_CONFIG_SIZE]; /* the VM certificate's only */
};

enum { C_ISS, C_SUB, C_CODE, C_CONF_HASH, C_CONF_DESC, C_AUTH, C_MODE, C_KEY, C_USAGE, C_PROF };

/*
 * The configuration claims: the descriptor has its exact size (64 bytes,
 * the port's value, in the hypervisor's; 104, with the label, in the VM's),
 * the hash covers it, and the VM's mode follows its protected byte (§2, §4).
 */
static int cert_config(const struct claim *tab, bool vm, struct cert *c)
{
	const cbor_item_t *desc = tab[C_CONF_DESC].val;
	size_t len = cbor_bytestring_length(desc);
	uint8_t h[PVM_VERIFY_HASH_SIZE];
	uint8_t prot;

	if (len != (vm ? PVM_VERIFY_VM_CONFIG_SIZE : HYP_CONFIG_SIZE))
		return PVM_VERIFY_E_CONFIG;
	SHA512(cbor_bytestring_handle(desc), len, h);
	if (memcmp(h, c->config_hash, sizeof(h)) != 0)
		return PVM_VERIFY_E_CONFIG;
	if (!vm)
		return PVM_VERIFY_OK;
	memcpy(c->vm_config, cbor_bytestring_handle(desc), PVM_VERIFY_VM_CONFIG_SIZE);
	/* The protected byte (after the label and u32 ipa_bits) is a boolean. */
	prot = c->vm_config[VM_CONFIG_MAGIC_LEN + 4];
	if (memcmp(c->vm_config, VM_CONFIG_MAGIC, VM_CONFIG_MAGIC_LEN) != 0 || prot > 1)
		return PVM_VERIFY_E_CONFIG;
	if (c->mode != (prot ? 1 : 2))
		return PVM_VERIFY_E_MODE;
	return PVM_VERIFY_OK;
}

/* An ID as text (§2, §4): 40 digits of 0-9a-f, the first 0-7 (its top bit is clear). */
static bool id_text_ok(const cbor_item_t *it)
{
	const uint8_t *p = cbor_string_handle(it);

	if (!is_tstr(it) || cbor_string_length(it) != ID_HEX_LEN || p[0] > '7')
		return false;
	for (size_t i = 0; i < ID_HEX_LEN; i++) {
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	}
	return true;
}

/*
 * Verify a certificate issued by @issuer_pub whose iss must be @iss: the
 * signature, then its claims. Errors specific to this certificate are
 * @errs[0..2]: bad signature, iss mismatch, sub mismatch.
 */
static int cert_check(const struct sign1 *s, const uint8_t issuer_pub[PVM_VERIFY_PUB_SIZE],
		      const char *iss, bool vm, const int errs[3], struct cert *c)
{
	struct claim tab[] = {
		[C_ISS] = {L_ISS, CBOR_TYPE_STRING, NULL},
		[C_SUB] = {L_SUB, CBOR_TYPE_STRING, NULL},
		[C_CODE] = {L_CODE_HASH, CBOR_TYPE_BYTESTRING, NULL},
		[C_CONF_HASH] = {L_CONFIG_HASH, CBOR_TYPE_BYTESTRING, NULL},
		[C_CONF_DESC] = {L_CONFIG_DESC, CBOR_TYPE_BYTESTRING, NULL},
		[C_AUTH] = {L_AUTHORITY_HASH, CBOR_TYPE_BYTESTRING, NULL},
		[C_MODE] = {L_MODE, CBOR_TYPE_BYTESTRING, NULL},
		[C_KEY] = {L_SUBJECT_KEY, CBOR_TYPE_BYTESTRING, NULL},
		[C_USAGE] = {L_KEY_USAGE, CBOR_TYPE_BYTESTRING, NULL},
		[C_PROF] = {L_PROFILE_NAME, CBOR_TYPE_STRING, NULL},
	};
	cbor_item_t *map = NULL;
	uint8_t usage;
	int ret;

	ret = sign1_verify(s, issuer_pub, errs[0]);
	if (ret)
		return ret;
	ret = decode(s->payload, s->payload_len, &map);
	if (!ret)
		ret = claims_parse(map, tab, sizeof(tab) / sizeof(tab[0]));
	if (!ret)
		ret = bstr_get(tab[C_CODE].val, c->code_hash, sizeof(c->code_hash));
	if (!ret)
		ret = bstr_get(tab[C_CONF_HASH].val, c->config_hash, sizeof(c->config_hash));
	if (!ret)
		ret = bstr_get(tab[C_AUTH].val, c->authority_hash, sizeof(c->authority_hash));
	if (!ret)
		ret = bstr_get(tab[C_MODE].val, &c->mode, 1);
	if (!ret)
		ret = bstr_get(tab[C_USAGE].val, &usage, 1);
	if (!ret && usage != KEY_USAGE_CERT_SIGN)
		ret = PVM_VERIFY_E_KEY_USAGE;
	if (!ret && !tstr_eq(tab[C_PROF].val, CERT_PROFILE))
		ret = PVM_VERIFY_E_PROFILE;
	if (!ret)
		ret = cose_key_parse(tab[C_KEY].val, c->pub);
	if (!ret && (!id_text_ok(tab[C_ISS].val) || !id_text_ok(tab[C_SUB].val)))
		ret = PVM_VERIFY_E_ID;
	if (!ret && !tstr_eq(tab[C_ISS].val, iss))
		ret = errs[1];
	if (!ret)
		ret = pvm_verify_id(c->pub, c->sub);
	if (!ret && !tstr_eq(tab[C_SUB].val, c->sub))
		ret = errs[2];
	if (!ret && (c->mode > 3 || (vm && c->mode != 1 && c->mode != 2)))
		ret = PVM_VERIFY_E_MODE;
	if (!ret)
		ret = cert_config(tab, vm, c);
	if (map)
		cbor_decref(&map);
	return ret;
}

/* ---- The token (§5) ---- */

enum { T_CHAL, T_PROF, T_RPV, T_HASH, T_KEY, T_RIM, T_REMS };

static int token_check(const struct sign1 *s, const uint8_t vm_pub[PVM_VERIFY_PUB_SIZE],
		       struct pvm_claims *c)
{
	struct claim tab[] = {
		[T_CHAL] = {L_CHALLENGE, CBOR_TYPE_BYTESTRING, NULL},
		[T_PROF] = {L_PROFILE, CBOR_TYPE_STRING, NULL},
		[T_RPV] = {L_RPV, CBOR_TYPE_BYTESTRING, NULL},
		[T_HASH] = {L_HASH_ALG, CBOR_TYPE_STRING, NULL},
		[T_KEY] = {L_PUBLIC_KEY, CBOR_TYPE_BYTESTRING, NULL},
		[T_RIM] = {L_RIM, CBOR_TYPE_BYTESTRING, NULL},
		[T_REMS] = {L_REMS, CBOR_TYPE_ARRAY, NULL},
	};
	cbor_item_t *map = NULL, **rems;
	size_t chal_len;
	int ret;

	ret = sign1_verify(s, vm_pub, PVM_VERIFY_E_SIG_TOKEN);
	if (ret)
		return ret;
	ret = decode(s->payload, s->payload_len, &map);
	if (!ret)
		ret = claims_parse(map, tab, sizeof(tab) / sizeof(tab[0]));
	if (ret)
		goto out;
	chal_len = cbor_bytestring_length(tab[T_CHAL].val);
	ret = PVM_VERIFY_E_SIZE;
	if (chal_len < 1 || chal_len > PVM_VERIFY_CHALLENGE_MAX)
		goto out;
	c->challenge_len = chal_len;
	memcpy(c->challenge, cbor_bytestring_handle(tab[T_CHAL].val), chal_len);
	if (bstr_get(tab[T_RPV].val, c->rpv, sizeof(c->rpv)) ||
	    bstr_get(tab[T_RIM].val, c->rim, sizeof(c->rim)))
		goto out;
	if (cbor_array_size(tab[T_REMS].val) != PVM_VERIFY_REM_COUNT)
		goto out;
	rems = cbor_array_handle(tab[T_REMS].val);
	for (size_t i = 0; i < PVM_VERIFY_REM_COUNT; i++) {
		if (!is_bstr(rems[i])) {
			ret = PVM_VERIFY_E_CLAIM_TYPE;
			goto out;
		}
		if (bstr_get(rems[i], c->rem[i], sizeof(c->rem[i])))
			goto out;
	}
	ret = PVM_VERIFY_E_PROFILE;
	if (!tstr_eq(tab[T_PROF].val, TOKEN_PROFILE))
		goto out;
	memcpy(c->profile, TOKEN_PROFILE, sizeof(TOKEN_PROFILE));
	ret = PVM_VERIFY_E_HASH_ALG;
	if (!tstr_eq(tab[T_HASH].val, TOKEN_HASH_ALG))
		goto out;
	memcpy(c->hash_alg, TOKEN_HASH_ALG, sizeof(TOKEN_HASH_ALG));
	ret = cose_key_parse(tab[T_KEY].val, c->vm_pub);
	if (!ret && memcmp(c->vm_pub, vm_pub, PVM_VERIFY_PUB_SIZE) != 0)
		ret = PVM_VERIFY_E_TOKEN_KEY;
out:
	if (map)
		cbor_decref(&map);
	return ret;
}

/* ---- The evidence (§6) ---- */

static int check_chain(struct sign1 s[3], const uint8_t root_pub[PVM_VERIFY_PUB_SIZE],
		       const uint8_t *challenge, size_t challenge_len, struct pvm_claims *c,
		       int *part)
{
	static const int hyp_errs[3] = {PVM_VERIFY_E_SIG_HYP, PVM_VERIFY_E_ISS_HYP,
					PVM_VERIFY_E_SUB_HYP};
	static const int vm_errs[3] = {PVM_VERIFY_E_SIG_VM, PVM_VERIFY_E_ISS_VM,
				       PVM_VERIFY_E_SUB_VM};
	struct cert hyp, vm;
	int ret;

	*part = PVM_VERIFY_PART_HYP_CERT;
	ret = pvm_verify_id(root_pub, c->root_id);
	if (!ret)
		ret = cert_check(&s[0], root_pub, c->root_id, false, hyp_errs, &hyp);
	if (ret)
		return ret;

	*part = PVM_VERIFY_PART_VM_CERT;
	ret = cert_check(&s[1], hyp.pub, hyp.sub, true, vm_errs, &vm);
	if (ret)
		return ret;

	*part = PVM_VERIFY_PART_TOKEN;
	ret = token_check(&s[2], vm.pub, c);
	if (ret)
		return ret;
	if (!bytes_eq(c->challenge, c->challenge_len, challenge, challenge_len))
		return PVM_VERIFY_E_CHALLENGE;
	if (memcmp(c->rim, vm.code_hash, sizeof(c->rim)) != 0)
		return PVM_VERIFY_E_RIM;
	if (memcmp(c->rpv, vm.vm_config + PVM_VERIFY_VM_CONFIG_SIZE - sizeof(c->rpv),
		   sizeof(c->rpv)) != 0)
		return PVM_VERIFY_E_RPV;

	memcpy(c->hyp_code_hash, hyp.code_hash, sizeof(hyp.code_hash));
	memcpy(c->hyp_config_hash, hyp.config_hash, sizeof(hyp.config_hash));
	memcpy(c->hyp_authority_hash, hyp.authority_hash, sizeof(hyp.authority_hash));
	c->hyp_mode = hyp.mode;
	memcpy(c->hyp_pub, hyp.pub, sizeof(hyp.pub));
	memcpy(c->hyp_id, hyp.sub, sizeof(hyp.sub));
	c->vm_mode = vm.mode;
	memcpy(c->vm_config, vm.vm_config, sizeof(vm.vm_config));
	memcpy(c->vm_config_hash, vm.config_hash, sizeof(vm.config_hash));
	memcpy(c->vm_authority_hash, vm.authority_hash, sizeof(vm.authority_hash));
	memcpy(c->vm_id, vm.sub, sizeof(vm.sub));
	/* Little-endian fields after the magic: u32 ipa_bits, u8 protected, u64, u64. */
	for (int i = 3; i >= 0; i--)
		c->vm_ipa_bits = c->vm_ipa_bits << 8 | vm.vm_config[VM_CONFIG_MAGIC_LEN + i];
	c->vm_protected = vm.vm_config[VM_CONFIG_MAGIC_LEN + 4];
	for (int i = 7; i >= 0; i--) {
		c->vm_ram_base = c->vm_ram_base << 8 | vm.vm_config[VM_CONFIG_MAGIC_LEN + 5 + i];
		c->vm_ram_size = c->vm_ram_size << 8 | vm.vm_config[VM_CONFIG_MAGIC_LEN + 13 + i];
	}
	*part = PVM_VERIFY_PART_NONE;
	return PVM_VERIFY_OK;
}

/*
 * The evidence's framing, by hand (see decode()): a well-formed,
 * deterministic item filling the input, an array of three, each a COSE_Sign1
 * decoded on its own. Then the chain.
 */
static int check_all(const uint8_t *p, size_t len, const uint8_t root_pub[PVM_VERIFY_PUB_SIZE],
		     const uint8_t *challenge, size_t challenge_len, struct pvm_claims *c,
		     int *part)
{
	cbor_item_t *tree[3] = {NULL, NULL, NULL};
	struct sign1 s[3];
	size_t off = 1, used = 0;
	int ret;

	*part = PVM_VERIFY_PART_EVIDENCE;
	ret = scan(p, len, true, &used);
	if (!ret && used != len)
		ret = PVM_VERIFY_E_TRAILING;
	if (!ret && p[0] != 0x83)
		ret = PVM_VERIFY_E_STRUCTURE;
	for (int i = 0; !ret && i < 3; i++) {
		*part = PVM_VERIFY_PART_HYP_CERT + i;
		/* Cannot fail: the whole array was scanned. */
		ret = scan(p + off, len - off, true, &used);
		if (!ret)
			ret = sign1_parse(p + off, used, i == 2, &tree[i], &s[i]);
		off += used;
	}
	if (!ret)
		ret = check_chain(s, root_pub, challenge, challenge_len, c, part);
	for (int i = 0; i < 3; i++) {
		if (tree[i])
			cbor_decref(&tree[i]);
	}
	return ret;
}

int pvm_verify_evidence(const uint8_t *evidence, size_t len,
			const uint8_t root_pub[PVM_VERIFY_PUB_SIZE], const uint8_t *challenge,
			size_t challenge_len, struct pvm_claims *out)
{
	struct pvm_claims *c;
	int part = PVM_VERIFY_PART_NONE, ret, on;

	if (!out)
		return PVM_VERIFY_E_INVAL;
	memset(out, 0, sizeof(*out));
	if (!evidence || !root_pub || !challenge || challenge_len < 1 ||
	    challenge_len > PVM_VERIFY_CHALLENGE_MAX)
		return PVM_VERIFY_E_INVAL;
	on = point_check(root_pub);
	if (on <= 0)
		return on < 0 ? PVM_VERIFY_E_INTERNAL : PVM_VERIFY_E_ROOT_KEY;

	part = PVM_VERIFY_PART_EVIDENCE;
	if (len > PVM_VERIFY_EVIDENCE_MAX) {
		out->fail_part = part;
		return PVM_VERIFY_E_TOO_BIG;
	}
	/* Claims collect in a private copy; the caller sees them only if all holds. */
	c = calloc(1, sizeof(*c));
	if (!c)
		return PVM_VERIFY_E_INTERNAL;
	ret = check_all(evidence, len, root_pub, challenge, challenge_len, c, &part);
	if (!ret)
		memcpy(out, c, sizeof(*c));
	else
		out->fail_part = part;
	free(c);
	return ret;
}

const char *pvm_verify_strerror(int status)
{
	switch (status) {
	case PVM_VERIFY_OK:
		return "evidence verified";
	case PVM_VERIFY_E_INVAL:
		return "invalid argument (NULL, or a challenge not 1 to 64 bytes)";
	case PVM_VERIFY_E_ROOT_KEY:
		return "the root key is not an uncompressed P-256 point";
	case PVM_VERIFY_E_TOO_BIG:
		return "evidence larger than 16 KiB";
	case PVM_VERIFY_E_CBOR:
		return "malformed CBOR (truncated, or a reserved encoding)";
	case PVM_VERIFY_E_NONCANONICAL:
		return "CBOR not deterministically encoded (indefinite length, long form, "
		       "unsorted or repeated map keys)";
	case PVM_VERIFY_E_TRAILING:
		return "trailing bytes after the CBOR item";
	case PVM_VERIFY_E_STRUCTURE:
		return "evidence is not an array of three COSE_Sign1 objects";
	case PVM_VERIFY_E_COSE:
		return "not a COSE_Sign1 structure [protected, unprotected, payload, signature]";
	case PVM_VERIFY_E_PROTECTED:
		return "protected header is not exactly {1: -7} (ES256)";
	case PVM_VERIFY_E_UNPROTECTED:
		return "unprotected header is not empty";
	case PVM_VERIFY_E_TOKEN_TAG:
		return "token is not tagged 18 (COSE_Sign1)";
	case PVM_VERIFY_E_CERT_TAG:
		return "certificate is tagged (certificates must be untagged)";
	case PVM_VERIFY_E_SIG_HYP:
		return "hypervisor certificate signature does not verify with the root key";
	case PVM_VERIFY_E_SIG_VM:
		return "VM certificate signature does not verify with the hypervisor key";
	case PVM_VERIFY_E_SIG_TOKEN:
		return "token signature does not verify with the VM key";
	case PVM_VERIFY_E_PAYLOAD:
		return "payload is not a map of claims";
	case PVM_VERIFY_E_CLAIM_UNKNOWN:
		return "unknown claim";
	case PVM_VERIFY_E_CLAIM_MISSING:
		return "required claim missing";
	case PVM_VERIFY_E_CLAIM_TYPE:
		return "claim of the wrong type";
	case PVM_VERIFY_E_SIZE:
		return "value of the wrong size";
	case PVM_VERIFY_E_KEY:
		return "public key is not an EC2 P-256 ES256 COSE_Key with 32-byte x and y";
	case PVM_VERIFY_E_KEY_POINT:
		return "public key is not on the P-256 curve";
	case PVM_VERIFY_E_ISS_HYP:
		return "hypervisor certificate issuer is not the root key's ID";
	case PVM_VERIFY_E_SUB_HYP:
		return "hypervisor certificate subject is not its key's ID";
	case PVM_VERIFY_E_ISS_VM:
		return "VM certificate issuer is not the hypervisor certificate's subject";
	case PVM_VERIFY_E_SUB_VM:
		return "VM certificate subject is not its key's ID";
	case PVM_VERIFY_E_KEY_USAGE:
		return "keyUsage is not keyCertSign";
	case PVM_VERIFY_E_MODE:
		return "invalid DICE mode (above 3, or a VM's not 1 if protected, 2 if not)";
	case PVM_VERIFY_E_CONFIG:
		return "configuration descriptor of the wrong size or layout, or not matching its "
		       "hash";
	case PVM_VERIFY_E_PROFILE:
		return "unknown profile";
	case PVM_VERIFY_E_HASH_ALG:
		return "hash algorithm is not sha-512";
	case PVM_VERIFY_E_TOKEN_KEY:
		return "token public key differs from the VM certificate's key";
	case PVM_VERIFY_E_CHALLENGE:
		return "challenge mismatch";
	case PVM_VERIFY_E_RIM:
		return "token RIM differs from the VM certificate's code hash";
	case PVM_VERIFY_E_RPV:
		return "token personalization value differs from the VM configuration's";
	case PVM_VERIFY_E_INTERNAL:
		return "internal error (out of memory or crypto engine failure)";
	case PVM_VERIFY_E_ID:
		return "issuer or subject ID is not 40 lower-case hex digits starting 0-7";
	case PVM_VERIFY_E_HIGH_S:
		return "signature not in low-S form (s > n/2)";
	}
	return "unknown verification error";
}

const char *pvm_verify_part_name(int part)
{
	switch (part) {
	case PVM_VERIFY_PART_EVIDENCE:
		return "evidence";
	case PVM_VERIFY_PART_HYP_CERT:
		return "hypervisor certificate";
	case PVM_VERIFY_PART_VM_CERT:
		return "VM certificate";
	case PVM_VERIFY_PART_TOKEN:
		return "token";
	}
	return "arguments";
}
