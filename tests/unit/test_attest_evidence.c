/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The evidence of docs/attestation.md §3-§6, decoded with libcbor: every
 * label, type and size; deterministic encoding checked on the raw bytes;
 * each signature checked with openssl against the key the chain gives.
 */
#include "attest_util.h"

#include <cbor.h>

#include "attest/attest_internal.h"
#include "attest/attest_priv.h"
#include "attest/attest_state.h"

/* ---- deterministic encoding, on the raw bytes ---- */

/* One data item at p (n bytes left): checks shortest heads, definite lengths, key order. */
static size_t det_item(const uint8_t *p, size_t n)
{
	unsigned major, ai;
	uint64_t arg = 0, i;
	size_t hl, at, prev_at = 0, prev_len = 0;

	assert_true(n >= 1);
	major = p[0] >> 5;
	ai = p[0] & 31;
	if (ai < 24) {
		arg = ai;
		hl = 1;
	} else {
		assert_true(ai <= 27); /* no indefinite lengths, no reserved values */
		hl = 1 + ((size_t)1 << (ai - 24));
		assert_true(n >= hl);
		for (i = 1; i < hl; i++)
			arg = arg << 8 | p[i];
		/* Shortest form: the argument would not fit a shorter head. */
		assert_true(ai == 24   ? arg >= 24
			    : ai == 25 ? arg > 0xff
			    : ai == 26 ? arg > 0xffff
				       : arg > 0xffffffffu);
	}
	at = hl;
	switch (major) {
	case 0:
	case 1:
		return at;
	case 2:
	case 3:
		assert_true(arg <= n - at);
		return at + arg;
	case 4:
		for (i = 0; i < arg; i++)
			at += det_item(p + at, n - at);
		return at;
	case 5:
		for (i = 0; i < arg; i++) {
			size_t k = at, klen = det_item(p + at, n - at);

			/* Keys in bytewise lexicographic order of their encodings. */
			if (i) {
				size_t m = prev_len < klen ? prev_len : klen;
				int c = memcmp(p + prev_at, p + k, m);

				assert_true(c < 0 || (c == 0 && prev_len < klen));
			}
			prev_at = k;
			prev_len = klen;
			at += klen;
			at += det_item(p + at, n - at);
		}
		return at;
	case 6:
		return at + det_item(p + at, n - at);
	default:
		fail_msg("major type 7 in evidence");
	}
	return 0;
}

static void det_exact(const uint8_t *p, size_t n)
{
	assert_int_equal(det_item(p, n), n);
}

/* ---- libcbor helpers ---- */

static int64_t int_of(const cbor_item_t *it)
{
	if (cbor_isa_uint(it))
		return (int64_t)cbor_get_int(it);
	assert_true(cbor_isa_negint(it));
	return -1 - (int64_t)cbor_get_int(it);
}

/* The value of integer label @key in map @m (fails if absent). */
static cbor_item_t *get(const cbor_item_t *m, int64_t key)
{
	struct cbor_pair *pairs = cbor_map_handle(m);
	size_t i;

	for (i = 0; i < cbor_map_size(m); i++)
		if (int_of(pairs[i].key) == key)
			return pairs[i].value;
	fail_msg("label %lld missing", (long long)key);
	return NULL;
}

static void expect_bstr(const cbor_item_t *it, const void *want, size_t len)
{
	assert_true(cbor_isa_bytestring(it) && cbor_bytestring_is_definite(it));
	assert_int_equal(cbor_bytestring_length(it), len);
	if (want)
		assert_memory_equal(cbor_bytestring_handle(it), want, len);
}

static void expect_tstr(const cbor_item_t *it, const char *want)
{
	assert_true(cbor_isa_string(it) && cbor_string_is_definite(it));
	assert_int_equal(cbor_string_length(it), strlen(want));
	assert_memory_equal(cbor_string_handle(it), want, strlen(want));
}

/* Decode a whole buffer as one item (nothing after it). */
static cbor_item_t *decode(const uint8_t *p, size_t n)
{
	struct cbor_load_result r;
	cbor_item_t *it = cbor_load(p, n, &r);

	if (!it)
		fail_msg("libcbor: error %d at byte %zu of %zu", (int)r.error.code,
			 r.error.position, n);
	assert_int_equal(r.error.code, CBOR_ERR_NONE);
	assert_int_equal(r.read, n);
	det_exact(p, n);
	return it;
}

/* A COSE_Key in a bstr: exactly {1: 2, 3: -7, -1: 1, -2: x, -3: y}; returns the point. */
static void check_cose_key(const cbor_item_t *bstr, uint8_t pub[65])
{
	cbor_item_t *k;

	assert_true(cbor_isa_bytestring(bstr));
	k = decode(cbor_bytestring_handle(bstr), cbor_bytestring_length(bstr));
	assert_true(cbor_isa_map(k));
	assert_int_equal(cbor_map_size(k), 5);
	assert_int_equal(int_of(get(k, 1)), 2);
	assert_int_equal(int_of(get(k, 3)), -7);
	assert_int_equal(int_of(get(k, -1)), 1);
	expect_bstr(get(k, -2), NULL, 32);
	expect_bstr(get(k, -3), NULL, 32);
	pub[0] = 4;
	memcpy(pub + 1, cbor_bytestring_handle(get(k, -2)), 32);
	memcpy(pub + 33, cbor_bytestring_handle(get(k, -3)), 32);
	cbor_decref(&k);
}

/*
 * A COSE_Sign1 (array of 4): protected {1: -7}, empty unprotected, payload,
 * a 64-byte signature that openssl verifies with @pub over a Sig_structure
 * assembled here. Returns the decoded payload.
 */
static cbor_item_t *check_sign1(const cbor_item_t *s, const uint8_t pub[65])
{
	static const uint8_t prefix[] = {0x84, 0x6a, 'S', 'i',	'g',  'n',  'a',  't', 'u',
					 'r',  'e',  '1', 0x43, 0xa1, 0x01, 0x26, 0x40};
	cbor_item_t **a;
	uint8_t msg[1200];
	size_t plen, n = sizeof(prefix);

	assert_true(cbor_isa_array(s));
	assert_int_equal(cbor_array_size(s), 4);
	a = cbor_array_handle(s);
	expect_bstr(a[0], (const uint8_t[]){0xa1, 0x01, 0x26}, 3);
	assert_true(cbor_isa_map(a[1]));
	assert_int_equal(cbor_map_size(a[1]), 0);
	assert_true(cbor_isa_bytestring(a[2]));
	expect_bstr(a[3], NULL, 64);

	plen = cbor_bytestring_length(a[2]);
	memcpy(msg, prefix, sizeof(prefix));
	/* The payload as a byte string, in its shortest head (it is 24 to 65535 bytes). */
	assert_true(plen >= 24 && plen <= 0xffff);
	if (plen <= 0xff) {
		msg[n++] = 0x58;
	} else {
		msg[n++] = 0x59;
		msg[n++] = (uint8_t)(plen >> 8);
	}
	msg[n++] = (uint8_t)plen;
	assert_true(n + plen <= sizeof(msg));
	memcpy(msg + n, cbor_bytestring_handle(a[2]), plen);
	n += plen;
	assert_true(ossl_verify(pub, msg, n, cbor_bytestring_handle(a[3])));
	return decode(cbor_bytestring_handle(a[2]), plen);
}

static void hex_of(const uint8_t *b, size_t n, char *out)
{
	au_hex(b, n, out);
}

struct cert_view {
	uint8_t pub[65];
	char sub[41];
};

/* A certificate's claims: exactly the ten of §4, of the right types and sizes. */
static void check_cert(const cbor_item_t *cert, const uint8_t issuer_pub[65], const char *iss,
		       const uint8_t code[64], const uint8_t *desc, size_t desc_len,
		       const uint8_t auth[64], uint8_t mode, struct cert_view *out)
{
	cbor_item_t *p = check_sign1(cert, issuer_pub);
	uint8_t h[64], id[20];

	assert_true(cbor_isa_map(p));
	assert_int_equal(cbor_map_size(p), 10);
	expect_tstr(get(p, 1), iss);
	expect_bstr(get(p, -4670545), code, 64);
	expect_bstr(get(p, -4670548), desc, desc_len);
	ossl_sha512(desc, desc_len, h);
	expect_bstr(get(p, -4670547), h, 64);
	expect_bstr(get(p, -4670549), auth, 64);
	expect_bstr(get(p, -4670551), &mode, 1);
	expect_bstr(get(p, -4670553), (const uint8_t[]){0x20}, 1);
	expect_tstr(get(p, -4670554), "libpvm.dice.v1");
	check_cose_key(get(p, -4670552), out->pub);
	/* sub = ID(subject key), from openssl's HKDF. */
	ossl_dice_id(out->pub, id);
	hex_of(id, 20, out->sub);
	expect_tstr(get(p, 2), out->sub);
	cbor_decref(&p);
}

static const uint8_t challenge[64] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* A sealed protected VM with a 2-page image and two REM extensions. */
static unsigned sealed_vm(void)
{
	unsigned h = au_vm(true, 0x3c);
	uint64_t pa = au_image(2, 5);

	assert_int_equal(pvm_vm_load_measured(fx_hyp, h, pvm_pa(pa), pvm_ipa(FX_GUEST_RAM), 2,
					      PVM_MEASURE_CODE, NULL),
			 PVM_OK);
	assert_int_equal(pvm_vm_seal(fx_hyp, h), PVM_OK);
	attest_rem_extend(fx_hyp->vms[h], 0, "boot", 4);
	attest_rem_extend(fx_hyp->vms[h], 3, "app", 3);
	return h;
}

static void test_structure(void **state)
{
	struct pvm_attest_config cfg;
	struct pvm_measurement m;
	struct cert_view hyp, vmc;
	uint8_t buf[PVM_EVIDENCE_MAX], root[65], id[20], desc[104], tok_pub[65];
	char root_id[41];
	cbor_item_t *a[2], *tok, *p, *rems;
	unsigned h = sealed_vm(), i;
	size_t len, off[4];

	(void)state;
	au_config(&cfg, 0x42);
	assert_int_equal(pvm_attest_root_key(fx_hyp, root), PVM_OK);
	ossl_dice_id(root, id);
	hex_of(id, 20, root_id);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, challenge, 64, buf, sizeof(buf), &len),
			 PVM_OK);
	assert_true(len <= PVM_EVIDENCE_MAX);

	/*
	 * libcbor 0.8 rejects tags 6 to 20 as malformed (tag 18 among them),
	 * so the array and the token's tag are taken apart on the raw bytes
	 * (det_item() checks their encoding) and libcbor decodes the rest.
	 */
	det_exact(buf, len);
	assert_int_equal(buf[0], 0x83); /* array(3), nothing after it */
	off[0] = 1;
	for (i = 0; i < 3; i++)
		off[i + 1] = off[i] + det_item(buf + off[i], len - off[i]);
	assert_int_equal(off[3], len);
	for (i = 0; i < 2; i++)
		a[i] = decode(buf + off[i], off[i + 1] - off[i]);
	assert_int_equal(buf[off[2]], 0xd2); /* tag 18 */
	tok = decode(buf + off[2] + 1, off[3] - off[2] - 1);

	/* 1. The hypervisor certificate, issued by the root key; untagged. */
	assert_false(cbor_isa_tag(a[0]));
	check_cert(a[0], root, root_id, cfg.code_hash, cfg.config_hash, 64, cfg.authority_hash,
		   AU_MODE, &hyp);
	assert_memory_equal(hyp.pub, fx_hyp->attest.pub, 65);

	/* 2. The VM certificate, issued by the hypervisor key; codeHash = RIM. */
	assert_false(cbor_isa_tag(a[1]));
	memcpy(desc, "libpvm VM config v1", 19);
	put_le(desc + 19, 36, 4);
	desc[23] = 1;
	put_le(desc + 24, FX_GUEST_RAM, 8);
	put_le(desc + 32, FX_GUEST_RAM_SIZE, 8);
	memset(desc + 40, 0x3c, 64);
	{
		uint8_t auth[64];

		/* Unsigned: the VM layer's authority input is zero (docs §2.1). */
		memset(auth, 0, 64);
		check_cert(a[1], hyp.pub, hyp.sub, m.rim, desc, sizeof(desc), auth, 1, &vmc);
	}
	assert_memory_equal(vmc.pub, m.pub, 65);

	/* 3. The token: tag 18 (above), signed by the VM's key, the claims of §5. */
	p = check_sign1(tok, vmc.pub);
	assert_true(cbor_isa_map(p));
	assert_int_equal(cbor_map_size(p), 7);
	expect_bstr(get(p, 10), challenge, 64);
	expect_tstr(get(p, 265), "tag:libpvm.dev,2026:pvm#1.0");
	expect_bstr(get(p, 44235), m.rpv, 64);
	expect_tstr(get(p, 44236), "sha-512");
	check_cose_key(get(p, 44237), tok_pub);
	assert_memory_equal(tok_pub, vmc.pub, 65);
	expect_bstr(get(p, 44238), m.rim, 64);
	rems = get(p, 44239);
	assert_true(cbor_isa_array(rems));
	assert_int_equal(cbor_array_size(rems), 4);
	for (i = 0; i < 4; i++)
		expect_bstr(cbor_array_handle(rems)[i], m.rem[i], 64);
	assert_memory_not_equal(m.rem[0], (uint8_t[64]){0}, 64);
	cbor_decref(&p);
	cbor_decref(&tok);
	cbor_decref(&a[0]);
	cbor_decref(&a[1]);
	fx_destroy(h);
}

/* Fixed sizes: the certificates do not depend on anything variable; the evidence fits. */
static void test_sizes(void **state)
{
	uint8_t buf[PVM_EVIDENCE_MAX];
	unsigned h = sealed_vm();
	size_t l1, l64, cert_len, hyp_len;

	(void)state;
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, challenge, 1, buf, sizeof(buf), &l1),
			 PVM_OK);
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, challenge, 64, buf, sizeof(buf), &l64),
			 PVM_OK);
	assert_int_equal(l64 - l1, 63 + 1); /* bstr(1) has a 1-byte head, bstr(64) a 2-byte one */
	assert_true(l64 <= PVM_EVIDENCE_MAX);
	/* The VM certificate fits the room sealing signs it in. */
	assert_int_equal(buf[0], 0x83);
	hyp_len = det_item(buf + 1, l64 - 1);
	assert_int_equal(hyp_len, fx_hyp->attest.cert_len);
	cert_len = det_item(buf + 1 + hyp_len, l64 - 1 - hyp_len);
	assert_true(cert_len > 0 && cert_len <= VM_CERT_MAX);
	print_message("evidence %zu bytes (64-byte challenge), hypervisor cert %u, VM cert %zu\n",
		      l64, fx_hyp->attest.cert_len, cert_len);
	fx_destroy(h);
}

/* Same state, same challenge: the same bytes (RFC 6979 signatures). */
static void test_deterministic(void **state)
{
	uint8_t b1[PVM_EVIDENCE_MAX], b2[PVM_EVIDENCE_MAX];
	unsigned h = sealed_vm();
	size_t l1, l2;

	(void)state;
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, challenge, 32, b1, sizeof(b1), &l1),
			 PVM_OK);
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, challenge, 32, b2, sizeof(b2), &l2),
			 PVM_OK);
	assert_int_equal(l1, l2);
	assert_memory_equal(b1, b2, l1);
	/* A REM extension changes the token, nothing else before it. */
	attest_rem_extend(fx_hyp->vms[h], 1, "x", 1);
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, challenge, 32, b2, sizeof(b2), &l2),
			 PVM_OK);
	assert_int_equal(l1, l2);
	assert_memory_not_equal(b1, b2, l1);
	fx_destroy(h);
}

/* Bad arguments and the size protocol. */
static void test_evidence_args(void **state)
{
	uint8_t buf[PVM_EVIDENCE_MAX], small[100];
	unsigned h = sealed_vm(), other = au_vm(true, 0);
	size_t len = 7, need;

	(void)state;
	assert_int_equal(pvm_attest_evidence(NULL, h, challenge, 8, buf, sizeof(buf), &len),
			 PVM_E_INVAL);
	assert_int_equal(len, 0);
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, NULL, 8, buf, sizeof(buf), &len),
			 PVM_E_INVAL);
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, challenge, 0, buf, sizeof(buf), &len),
			 PVM_E_INVAL);
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, challenge, 65, buf, sizeof(buf), &len),
			 PVM_E_INVAL);
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, challenge, 8, buf, sizeof(buf), NULL),
			 PVM_E_INVAL);
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, challenge, 8, NULL, 10, &len), PVM_E_INVAL);
	assert_int_equal(
		pvm_attest_evidence(fx_hyp, PVM_VM_MAX, challenge, 8, buf, sizeof(buf), &len),
		PVM_E_NOENT);
	assert_int_equal(pvm_attest_evidence(fx_hyp, other, challenge, 8, buf, sizeof(buf), &len),
			 PVM_E_STATE); /* not sealed */
	assert_int_equal(attest_vm_evidence(fx_hyp, NULL, challenge, 8, buf, sizeof(buf), &len),
			 PVM_E_INVAL);

	/* Too small: the room needed; no buffer at all: the same; that much: it fits. */
	memset(small, 0xee, sizeof(small));
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, challenge, 8, small, 50, &need),
			 PVM_E_RANGE);
	assert_int_equal(small[50], 0xee);
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, challenge, 8, NULL, 0, &len), PVM_E_RANGE);
	assert_int_equal(len, need);
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, challenge, 8, buf, need - 1, &len),
			 PVM_E_RANGE);
	assert_int_equal(len, need);
	assert_int_equal(pvm_attest_evidence(fx_hyp, h, challenge, 8, buf, need, &len), PVM_OK);
	assert_int_equal(len, need);
	fx_destroy(other);
	fx_destroy(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_structure, au_setup, au_teardown),
		cmocka_unit_test_setup_teardown(test_sizes, au_setup, au_teardown),
		cmocka_unit_test_setup_teardown(test_deterministic, au_setup, au_teardown),
		cmocka_unit_test_setup_teardown(test_evidence_args, au_setup, au_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
