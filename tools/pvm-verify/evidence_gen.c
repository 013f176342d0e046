/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reference encoder of the evidence format (see evidence_gen.h): a tiny
 * deterministic CBOR writer and OpenSSL signing. Tests only.
 */
#include "evidence_gen.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include <stdlib.h>
#include <string.h>

static const uint8_t es256_protected[3] = {0xa1, 0x01, 0x26};
static const uint8_t empty_map[1] = {0xa0};

struct cw {
	uint8_t *p;
	size_t n, cap;
	bool bad;
};

static void cw_bytes(struct cw *w, const void *d, size_t n)
{
	if (w->bad || n > w->cap - w->n) {
		w->bad = true;
		return;
	}
	if (n)
		memcpy(w->p + w->n, d, n);
	w->n += n;
}

size_t vgen_head(uint8_t *p, unsigned major, uint64_t arg)
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

static void cw_head(struct cw *w, unsigned major, uint64_t arg)
{
	uint8_t h[9];

	cw_bytes(w, h, vgen_head(h, major, arg));
}

static void cw_int(struct cw *w, int64_t v)
{
	if (v >= 0)
		cw_head(w, 0, (uint64_t)v);
	else
		cw_head(w, 1, (uint64_t)(-1 - v));
}

static void cw_bstr(struct cw *w, const void *d, size_t n)
{
	cw_head(w, 2, n);
	cw_bytes(w, d, n);
}

void vgen_hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

size_t vgen_cose_key(const uint8_t pub[PVM_VERIFY_PUB_SIZE], uint8_t out[VGEN_COSE_KEY_MAX])
{
	struct cw w = {out, 0, VGEN_COSE_KEY_MAX, false};

	cw_head(&w, 5, 5);
	cw_int(&w, 1);
	cw_int(&w, 2);
	cw_int(&w, 3);
	cw_int(&w, -7);
	cw_int(&w, -1);
	cw_int(&w, 1);
	cw_int(&w, -2);
	cw_bstr(&w, pub + 1, 32);
	cw_int(&w, -3);
	cw_bstr(&w, pub + 33, 32);
	return w.n;
}

int vgen_key_init(struct vgen_key *k, uint8_t fill)
{
	uint8_t scalar[32];
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *pt = grp ? EC_POINT_new(grp) : NULL;
	BIGNUM *d;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	int ret = -1;

	memset(scalar, fill, sizeof(scalar));
	d = BN_bin2bn(scalar, sizeof(scalar), NULL);
	k->pkey = NULL;
	if (!pt || !d || !bld || !ctx || EC_POINT_mul(grp, pt, d, NULL, NULL, NULL) != 1 ||
	    EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, k->pub, sizeof(k->pub),
			       NULL) != sizeof(k->pub))
		goto out;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
		    1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, k->pub,
					     sizeof(k->pub)) != 1)
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (params && EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, &k->pkey, EVP_PKEY_KEYPAIR, params) == 1)
		ret = 0;
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(d);
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	return ret;
}

void vgen_key_free(struct vgen_key *k)
{
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
}

struct vgen_claim *vgen_claim(struct vgen_map *m, int64_t label)
{
	for (size_t i = 0; i < m->n; i++) {
		if (m->c[i].label == label)
			return &m->c[i];
	}
	return NULL;
}

void vgen_remove(struct vgen_map *m, int64_t label)
{
	struct vgen_claim *c = vgen_claim(m, label);

	if (c) {
		*c = m->c[m->n - 1];
		m->n--;
	}
}

void vgen_set(struct vgen_map *m, int64_t label, enum vgen_kind kind, const void *data, size_t len)
{
	struct vgen_claim *c = vgen_claim(m, label);

	if (!c && m->n < VGEN_MAX_CLAIMS)
		c = &m->c[m->n++];
	if (c)
		*c = (struct vgen_claim){label, kind, data, len};
}

/* Deterministic order of integer keys: unsigned first, then by argument. */
static int key_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct vgen_claim *)a)->label;
	int64_t y = ((const struct vgen_claim *)b)->label;

	if ((x < 0) != (y < 0))
		return x < 0 ? 1 : -1;
	if (x < 0)
		return (x < y) - (x > y);
	return (x > y) - (x < y);
}

static void encode_map(struct cw *w, const struct vgen_map *m)
{
	struct vgen_claim c[VGEN_MAX_CLAIMS];

	memcpy(c, m->c, m->n * sizeof(c[0]));
	if (!m->keep_order)
		qsort(c, m->n, sizeof(c[0]), key_cmp);
	cw_head(w, 5, m->n);
	for (size_t i = 0; i < m->n; i++) {
		cw_int(w, c[i].label);
		if (c[i].kind == VGEN_BSTR)
			cw_head(w, 2, c[i].len);
		else if (c[i].kind == VGEN_TSTR)
			cw_head(w, 3, c[i].len);
		cw_bytes(w, c[i].data, c[i].len);
	}
}

/* s = n - s: the other signature of the pair, valid as well. 0 on success. */
static int twin_s(uint8_t sig[64])
{
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BIGNUM *s = BN_bin2bn(sig + 32, 32, NULL), *t = BN_new();
	int ret = -1;

	if (grp && s && t && BN_sub(t, EC_GROUP_get0_order(grp), s) == 1 &&
	    BN_bn2binpad(t, sig + 32, 32) == 32)
		ret = 0;
	BN_free(t);
	BN_free(s);
	EC_GROUP_free(grp);
	return ret;
}

/* Is s > n/2 (high-S)? 1 yes, 0 no, -1 engine failure. */
static int high_s(const uint8_t sig[64])
{
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BIGNUM *s = BN_bin2bn(sig + 32, 32, NULL), *half = BN_new();
	int ret = -1;

	if (grp && s && half && BN_rshift1(half, EC_GROUP_get0_order(grp)) == 1)
		ret = BN_cmp(s, half) > 0;
	BN_free(half);
	BN_free(s);
	EC_GROUP_free(grp);
	return ret;
}

/*
 * ES256 of SHA-256(["Signature1", prot, h'', payload]) as r ‖ s, in the
 * low-S form of §3 (OpenSSL's s is either member of the pair).
 */
static int sign(EVP_PKEY *key, const uint8_t *prot, size_t prot_len, const uint8_t *payload,
		size_t payload_len, uint8_t sig[64])
{
	static uint8_t buf[32768];
	struct cw w = {buf, 0, sizeof(buf), false};
	uint8_t digest[32], der[80];
	const uint8_t *dp = der;
	size_t der_len = sizeof(der);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
	ECDSA_SIG *es = NULL;
	int ret = -1;

	cw_head(&w, 4, 4);
	cw_head(&w, 3, 10);
	cw_bytes(&w, "Signature1", 10);
	cw_bstr(&w, prot, prot_len);
	cw_bstr(&w, NULL, 0);
	cw_bstr(&w, payload, payload_len);
	SHA256(buf, w.n, digest);
	if (!w.bad && ctx && EVP_PKEY_sign_init(ctx) == 1 &&
	    EVP_PKEY_sign(ctx, der, &der_len, digest, sizeof(digest)) == 1)
		es = d2i_ECDSA_SIG(NULL, &dp, (long)der_len);
	if (es && BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32) == 32 &&
	    BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32) == 32) {
		int high = high_s(sig);

		ret = high < 0 || (high && twin_s(sig)) ? -1 : 0;
	}
	ECDSA_SIG_free(es);
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

static void build_obj(struct cw *w, const struct vgen_obj *o)
{
	static uint8_t payload[16384];
	struct cw pw = {payload, 0, sizeof(payload), false};
	uint8_t sig[96] = {0};

	if (o->payload)
		cw_bytes(&pw, o->payload, o->payload_len);
	else
		encode_map(&pw, &o->claims);
	if (pw.bad || o->sig_len > sizeof(sig) ||
	    sign(o->signer, o->prot, o->prot_len, payload, pw.n, sig)) {
		w->bad = true;
		return;
	}
	if (o->high_s && twin_s(sig)) {
		w->bad = true;
		return;
	}
	if (o->corrupt_sig)
		sig[10] ^= 1;
	if (o->tag >= 0)
		cw_head(w, 6, (uint64_t)o->tag);
	cw_head(w, 4, 4);
	cw_bstr(w, o->prot, o->prot_len);
	cw_bytes(w, o->unprot, o->unprot_len);
	cw_bstr(w, payload, pw.n);
	cw_bstr(w, sig, o->sig_len); /* beyond 64: zero padding */
}

size_t vgen_build(const struct vgen *g, uint8_t *out, size_t cap)
{
	struct cw w = {out, 0, cap, false};

	cw_head(&w, 4, g->count);
	for (unsigned i = 0; i < g->count && i < 3; i++)
		build_obj(&w, &g->obj[i]);
	return w.bad ? 0 : w.n;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + 7 * i);
}

static void le(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void cert_claims(struct vgen_map *m, const char *iss, const char *sub, const uint8_t *code,
			const uint8_t *conf_hash, const uint8_t *auth, const uint8_t *mode,
			const uint8_t *key, size_t key_len, const uint8_t *usage)
{
	m->n = 0;
	vgen_set(m, 1, VGEN_TSTR, iss, 40);
	vgen_set(m, 2, VGEN_TSTR, sub, 40);
	vgen_set(m, -4670545, VGEN_BSTR, code, 64);
	vgen_set(m, -4670547, VGEN_BSTR, conf_hash, 64);
	vgen_set(m, -4670549, VGEN_BSTR, auth, 64);
	vgen_set(m, -4670551, VGEN_BSTR, mode, 1);
	vgen_set(m, -4670552, VGEN_BSTR, key, key_len);
	vgen_set(m, -4670553, VGEN_BSTR, usage, 1);
	vgen_set(m, -4670554, VGEN_TSTR, "libpvm.dice.v1", 14);
}

int vgen_init(struct vgen *g)
{
	uint8_t *d = g->vm_config;
	size_t n = 0;

	memset(g, 0, sizeof(*g));
	if (vgen_key_init(&g->root, 0x11) || vgen_key_init(&g->hyp, 0x22) ||
	    vgen_key_init(&g->vm, 0x33) || vgen_key_init(&g->other, 0x44)) {
		vgen_free(g);
		return -1;
	}
	if (pvm_verify_id(g->root.pub, g->root_id) || pvm_verify_id(g->hyp.pub, g->hyp_id) ||
	    pvm_verify_id(g->vm.pub, g->vm_id)) {
		vgen_free(g);
		return -1;
	}

	fill(g->hyp_code, 64, 0xa0);
	fill(g->hyp_config, 64, 0xb0);
	SHA512(g->hyp_config, sizeof(g->hyp_config), g->hyp_config_hash);
	fill(g->hyp_auth, 64, 0xc0);
	g->hyp_mode = 1;
	g->key_usage = 0x20;
	g->hyp_key_len = vgen_cose_key(g->hyp.pub, g->hyp_key);
	g->vm_key_len = vgen_cose_key(g->vm.pub, g->vm_key);

	fill(g->rpv, 64, 0x50);
	memcpy(d, "libpvm VM config v1", 19);
	le(d + 19, 40, 4);
	d[23] = 1;
	le(d + 24, 0x80000000ull, 8);
	le(d + 32, 2ull << 20, 8);
	memcpy(d + 40, g->rpv, 64);
	SHA512(d, sizeof(g->vm_config), g->vm_config_hash);
	memset(g->vm_auth, 0, 64);
	g->vm_mode = 1;

	fill(g->rim, 64, 0x60);
	for (int i = 0; i < 4; i++)
		fill(g->rem[i], 64, (uint8_t)(0x70 + 0x10 * i));
	g->challenge_len = 32;
	for (int i = 0; i < 32; i++)
		g->challenge[i] = (uint8_t)(i + 1); /* the CLI tests' 0102...20 */
	n = vgen_head(g->rems, 4, 4);
	for (int i = 0; i < 4; i++) {
		n += vgen_head(g->rems + n, 2, 64);
		memcpy(g->rems + n, g->rem[i], 64);
		n += 64;
	}
	g->rems_len = n;

	for (int i = 0; i < 3; i++) {
		struct vgen_obj *o = &g->obj[i];

		o->prot = es256_protected;
		o->prot_len = sizeof(es256_protected);
		o->unprot = empty_map;
		o->unprot_len = sizeof(empty_map);
		o->tag = i == VGEN_TOKEN ? 18 : -1;
		o->sig_len = 64;
	}
	g->obj[VGEN_HYP].signer = g->root.pkey;
	g->obj[VGEN_VM].signer = g->hyp.pkey;
	g->obj[VGEN_TOKEN].signer = g->vm.pkey;
	cert_claims(&g->obj[VGEN_HYP].claims, g->root_id, g->hyp_id, g->hyp_code,
		    g->hyp_config_hash, g->hyp_auth, &g->hyp_mode, g->hyp_key, g->hyp_key_len,
		    &g->key_usage);
	cert_claims(&g->obj[VGEN_VM].claims, g->hyp_id, g->vm_id, g->rim, g->vm_config_hash,
		    g->vm_auth, &g->vm_mode, g->vm_key, g->vm_key_len, &g->key_usage);
	vgen_set(&g->obj[VGEN_HYP].claims, -4670548, VGEN_BSTR, g->hyp_config,
		 sizeof(g->hyp_config));
	vgen_set(&g->obj[VGEN_VM].claims, -4670548, VGEN_BSTR, g->vm_config, sizeof(g->vm_config));

	struct vgen_map *t = &g->obj[VGEN_TOKEN].claims;

	vgen_set(t, 10, VGEN_BSTR, g->challenge, g->challenge_len);
	vgen_set(t, 265, VGEN_TSTR, "tag:libpvm.dev,2026:pvm#1.0", 27);
	vgen_set(t, 44235, VGEN_BSTR, g->rpv, 64);
	vgen_set(t, 44236, VGEN_TSTR, "sha-512", 7);
	vgen_set(t, 44237, VGEN_BSTR, g->vm_key, g->vm_key_len);
	vgen_set(t, 44238, VGEN_BSTR, g->rim, 64);
	vgen_set(t, 44239, VGEN_RAW, g->rems, g->rems_len);
	g->count = 3;
	return 0;
}

void vgen_free(struct vgen *g)
{
	vgen_key_free(&g->root);
	vgen_key_free(&g->hyp);
	vgen_key_free(&g->vm);
	vgen_key_free(&g->other);
}
