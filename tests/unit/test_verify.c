/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The attestation verifier (libpvm/verify.h, docs/attestation.md §6) against
 * evidence built here by an independent encoder (tools/pvm-verify/evidence_gen):
 * valid evidence verifies and its claims come back; each way evidence can be
 * wrong, re-signed so that only that check fails, gives its own error; no
 * byte flip, truncation or malformation is accepted or crashes.
 *
 * `test_verify --write-fixtures DIR` writes the files the CLI tests use.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpvm/verify.h>

#include "evidence_gen.h"

#include <openssl/pem.h>
#include <openssl/sha.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define EV_MAX 8192

static struct vgen g;
static uint8_t ev[EV_MAX];
static size_t ev_len;
static struct pvm_claims claims;

static int setup(void **state)
{
	(void)state;
	return vgen_init(&g);
}

static int teardown(void **state)
{
	(void)state;
	vgen_free(&g);
	return 0;
}

/* Start again from valid evidence (a failed test may leave changes behind). */
static void fresh(void)
{
	vgen_free(&g);
	assert_int_equal(vgen_init(&g), 0);
}

static void build(void)
{
	ev_len = vgen_build(&g, ev, sizeof(ev));
	assert_true(ev_len > 0);
}

static int verify(const uint8_t *e, size_t len)
{
	return pvm_verify_evidence(e, len, g.root.pub, g.challenge, g.challenge_len, &claims);
}

/* A status the header defines, and one that rejects evidence (not an argument error). */
static void assert_rejected(int ret)
{
	assert_true(ret < 0 && ret >= PVM_VERIFY_E_HIGH_S);
	assert_true(ret != PVM_VERIFY_E_INVAL && ret != PVM_VERIFY_E_ROOT_KEY &&
		    ret != PVM_VERIFY_E_INTERNAL);
	assert_string_not_equal(pvm_verify_strerror(ret), "unknown verification error");
}

/* ---- Valid evidence ---- */

static void test_valid(void **state)
{
	(void)state;
	fresh();
	build();
	assert_int_equal(verify(ev, ev_len), PVM_VERIFY_OK);
	assert_int_equal(claims.fail_part, PVM_VERIFY_PART_NONE);
	assert_int_equal(claims.challenge_len, g.challenge_len);
	assert_memory_equal(claims.challenge, g.challenge, g.challenge_len);
	assert_string_equal(claims.profile, "tag:libpvm.dev,2026:pvm#1.0");
	assert_string_equal(claims.hash_alg, "sha-512");
	assert_memory_equal(claims.rim, g.rim, 64);
	assert_memory_equal(claims.rem, g.rem, sizeof(g.rem));
	assert_memory_equal(claims.rpv, g.rpv, 64);
	assert_memory_equal(claims.vm_pub, g.vm.pub, 65);
	assert_memory_equal(claims.hyp_pub, g.hyp.pub, 65);
	assert_memory_equal(claims.hyp_code_hash, g.hyp_code, 64);
	assert_memory_equal(claims.hyp_config_hash, g.hyp_config_hash, 64);
	assert_memory_equal(claims.hyp_authority_hash, g.hyp_auth, 64);
	assert_int_equal(claims.hyp_mode, 1);
	assert_int_equal(claims.vm_mode, 1);
	assert_memory_equal(claims.vm_config, g.vm_config, sizeof(g.vm_config));
	assert_memory_equal(claims.vm_config_hash, g.vm_config_hash, 64);
	assert_memory_equal(claims.vm_authority_hash, g.vm_auth, 64);
	assert_int_equal(claims.vm_ipa_bits, 40);
	assert_true(claims.vm_protected);
	assert_int_equal(claims.vm_ram_base, 0x80000000ull);
	assert_int_equal(claims.vm_ram_size, 2ull << 20);
	assert_string_equal(claims.root_id, g.root_id);
	assert_string_equal(claims.hyp_id, g.hyp_id);
	assert_string_equal(claims.vm_id, g.vm_id);
	assert_int_equal(strlen(claims.root_id), 40);
}

/* ID(pub) is HKDF-SHA512 with the profile's ID_SALT: pinned for one key. */
static void test_id_known_answer(void **state)
{
	/* The generator of P-256 (scalar 1). */
	static const uint8_t gen[65] = {
		0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5,
		0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4,
		0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a,
		0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33,
		0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
	};
	char id[PVM_VERIFY_ID_HEX_SIZE];

	(void)state;
	assert_int_equal(pvm_verify_id(gen, id), PVM_VERIFY_OK);
	assert_int_equal(strlen(id), 40);
	for (int i = 0; i < 40; i++)
		assert_true((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'));
	/* Computed independently: openssl kdf -keylen 20 -kdfopt digest:SHA512
	 * -kdfopt hexkey:<point> -kdfopt hexsalt:<ID_SALT> -kdfopt info:ID HKDF */
	assert_string_equal(id, "683e4c631c40c7311a560360bb18f3f6cc83334c");
	assert_int_equal(pvm_verify_id(NULL, id), PVM_VERIFY_E_INVAL);
}

/* An ID whose KDF output has its top bit set: the verifier clears it (§2). */
static void test_id_top_bit(void **state)
{
	/* The root key of an all-zero UDS (pvm-run's default; test_attest_kat derives it). */
	static const uint8_t root0[65] = {
		0x04, 0x2b, 0x0e, 0x5d, 0xf0, 0x61, 0xb9, 0x9b, 0x0d, 0xa6, 0xd7, 0xb1, 0xea,
		0x15, 0x17, 0x13, 0x88, 0xca, 0x92, 0xba, 0xbe, 0x2c, 0x82, 0xba, 0x8a, 0xa9,
		0x61, 0xb0, 0x6a, 0xa8, 0x34, 0x5f, 0x32, 0xe3, 0x3c, 0x1d, 0x25, 0xb3, 0x78,
		0xaf, 0x17, 0x6a, 0x61, 0x7a, 0xa6, 0x18, 0x43, 0x4b, 0x36, 0xa8, 0xdb, 0xbd,
		0x5d, 0x73, 0x06, 0x3f, 0xda, 0xf9, 0xa9, 0xd4, 0x57, 0xac, 0x13, 0xf7, 0x4a,
	};
	char id[PVM_VERIFY_ID_HEX_SIZE];

	(void)state;
	assert_int_equal(pvm_verify_id(root0, id), PVM_VERIFY_OK);
	/* openssl kdf -keylen 20 -kdfopt digest:SHA512 -kdfopt hexkey:<root0>
	 * -kdfopt hexsalt:<ID_SALT> -kdfopt info:ID HKDF gives
	 * bba031664efc4817627f5c4cdb23d0d039da8deb; 0xbb & 0x7f = 0x3b by hand. */
	assert_string_equal(id, "3ba031664efc4817627f5c4cdb23d0d039da8deb");
}

/* ---- One check fails at a time: a table of (change, expected error) ---- */

static uint8_t buf_a[256], buf_b[256];

static void m_rim(void)
{
	memcpy(buf_a, g.rim, 64);
	buf_a[5] ^= 1;
	vgen_set(&g.obj[VGEN_TOKEN].claims, 44238, VGEN_BSTR, buf_a, 64);
}
static void m_token_key(void)
{
	size_t n = vgen_cose_key(g.other.pub, buf_a);

	vgen_set(&g.obj[VGEN_TOKEN].claims, 44237, VGEN_BSTR, buf_a, n);
}
static void m_token_signer(void)
{
	g.obj[VGEN_TOKEN].signer = g.other.pkey;
}
static void m_vm_signer(void)
{
	g.obj[VGEN_VM].signer = g.root.pkey;
}
static void m_hyp_signer(void)
{
	g.obj[VGEN_HYP].signer = g.hyp.pkey;
}
static void m_token_sig(void)
{
	g.obj[VGEN_TOKEN].corrupt_sig = true;
}
static void m_hyp_iss(void)
{
	vgen_set(&g.obj[VGEN_HYP].claims, 1, VGEN_TSTR, g.hyp_id, 40);
}
static void m_hyp_iss_upper(void)
{
	for (int i = 0; i < 40; i++)
		buf_a[i] = (uint8_t)(g.root_id[i] >= 'a' ? g.root_id[i] - 32 : g.root_id[i]);
	vgen_set(&g.obj[VGEN_HYP].claims, 1, VGEN_TSTR, buf_a, 40);
}
static void m_hyp_iss_short(void)
{
	vgen_set(&g.obj[VGEN_HYP].claims, 1, VGEN_TSTR, g.root_id, 39);
}
/* An ID claim of @cert (iss 1 or sub 2) as @len bytes of @id, then @tail. */
static void id_claim(int cert, int64_t label, const char *id, size_t len, const char *tail)
{
	uint8_t *b = cert == VGEN_HYP ? buf_a : buf_b;

	memcpy(b, id, len);
	memcpy(b + len, tail, strlen(tail));
	vgen_set(&g.obj[cert].claims, label, VGEN_TSTR, b, len + strlen(tail));
}
/* The same ID with its top bit set: what the KDF alone gives for half the keys. */
static void id_top_bit(int cert, int64_t label, const char *id)
{
	static const char digits[] = "0123456789abcdef";
	char t[41];

	memcpy(t, id, 41);
	t[0] = digits[(strchr(digits, id[0]) - digits) | 8];
	id_claim(cert, label, t, 40, "");
}
static void m_hyp_iss41(void)
{
	id_claim(VGEN_HYP, 1, g.root_id, 40, "0");
}
static void m_hyp_iss_top_bit(void)
{
	id_top_bit(VGEN_HYP, 1, g.root_id);
}
static void m_hyp_iss_not_hex(void)
{
	id_claim(VGEN_HYP, 1, g.root_id, 39, "g");
}
static void m_hyp_sub39(void)
{
	id_claim(VGEN_HYP, 2, g.hyp_id, 39, "");
}
static void m_hyp_sub41(void)
{
	id_claim(VGEN_HYP, 2, g.hyp_id, 40, "a");
}
static void m_hyp_sub_upper(void)
{
	for (int i = 0; i < 40; i++)
		buf_a[i] = (uint8_t)(g.hyp_id[i] >= 'a' ? g.hyp_id[i] - 32 : g.hyp_id[i]);
	vgen_set(&g.obj[VGEN_HYP].claims, 2, VGEN_TSTR, buf_a, 40);
}
static void m_hyp_sub_top_bit(void)
{
	id_top_bit(VGEN_HYP, 2, g.hyp_id);
}
static void m_vm_iss39(void)
{
	id_claim(VGEN_VM, 1, g.hyp_id, 39, "");
}
static void m_vm_iss41(void)
{
	id_claim(VGEN_VM, 1, g.hyp_id, 40, "7");
}
static void m_vm_iss_upper(void)
{
	for (int i = 0; i < 40; i++)
		buf_b[i] = (uint8_t)(g.hyp_id[i] >= 'a' ? g.hyp_id[i] - 32 : g.hyp_id[i]);
	vgen_set(&g.obj[VGEN_VM].claims, 1, VGEN_TSTR, buf_b, 40);
}
static void m_vm_iss_top_bit(void)
{
	id_top_bit(VGEN_VM, 1, g.hyp_id);
}
static void m_vm_sub39(void)
{
	id_claim(VGEN_VM, 2, g.vm_id, 39, "");
}
static void m_vm_sub41(void)
{
	id_claim(VGEN_VM, 2, g.vm_id, 40, "f");
}
static void m_vm_sub_top_bit(void)
{
	id_top_bit(VGEN_VM, 2, g.vm_id);
}
static void m_vm_sub_empty(void)
{
	id_claim(VGEN_VM, 2, g.vm_id, 0, "");
}
static void m_hyp_sub(void)
{
	vgen_set(&g.obj[VGEN_HYP].claims, 2, VGEN_TSTR, g.vm_id, 40);
}
static void m_vm_iss(void)
{
	vgen_set(&g.obj[VGEN_VM].claims, 1, VGEN_TSTR, g.root_id, 40);
}
static void m_vm_sub(void)
{
	vgen_set(&g.obj[VGEN_VM].claims, 2, VGEN_TSTR, g.hyp_id, 40);
}
static void m_hyp_tagged(void)
{
	g.obj[VGEN_HYP].tag = 18;
}
static void m_vm_tagged(void)
{
	g.obj[VGEN_VM].tag = 61;
}
static void m_token_untagged(void)
{
	g.obj[VGEN_TOKEN].tag = -1;
}
static void m_token_tag98(void)
{
	g.obj[VGEN_TOKEN].tag = 98;
}
static void m_prot_alg(void)
{
	static const uint8_t p[] = {0xa1, 0x01, 0x38, 0x22}; /* {1: -35} ES384 */

	g.obj[VGEN_VM].prot = p;
	g.obj[VGEN_VM].prot_len = sizeof(p);
}
static void m_prot_empty(void)
{
	g.obj[VGEN_HYP].prot_len = 0;
}
static void m_prot_extra(void)
{
	static const uint8_t p[] = {0xa2, 0x01, 0x26, 0x04, 0x41, 0x00}; /* {1: -7, 4: h'00'} */

	g.obj[VGEN_TOKEN].prot = p;
	g.obj[VGEN_TOKEN].prot_len = sizeof(p);
}
static void m_unprot(void)
{
	static const uint8_t u[] = {0xa1, 0x04, 0x41, 0x00};

	g.obj[VGEN_TOKEN].unprot = u;
	g.obj[VGEN_TOKEN].unprot_len = sizeof(u);
}
static void m_unprot_array(void)
{
	static const uint8_t u[] = {0x80};

	g.obj[VGEN_HYP].unprot = u;
	g.obj[VGEN_HYP].unprot_len = sizeof(u);
}
static void m_sig63(void)
{
	g.obj[VGEN_VM].sig_len = 63;
}
static void m_sig65(void)
{
	g.obj[VGEN_TOKEN].sig_len = 65;
}
static void m_chal0(void)
{
	vgen_set(&g.obj[VGEN_TOKEN].claims, 10, VGEN_BSTR, g.challenge, 0);
}
static void m_chal65(void)
{
	vgen_set(&g.obj[VGEN_TOKEN].claims, 10, VGEN_BSTR, g.challenge, 65);
}
static void m_chal_other(void)
{
	memcpy(buf_a, g.challenge, g.challenge_len);
	buf_a[0] ^= 0x80;
	vgen_set(&g.obj[VGEN_TOKEN].claims, 10, VGEN_BSTR, buf_a, g.challenge_len);
}
static void m_chal_text(void)
{
	vgen_set(&g.obj[VGEN_TOKEN].claims, 10, VGEN_TSTR, "abc", 3);
}
static void m_rim63(void)
{
	vgen_set(&g.obj[VGEN_TOKEN].claims, 44238, VGEN_BSTR, g.rim, 63);
}
static void m_rpv65(void)
{
	memcpy(buf_a, g.rpv, 64);
	vgen_set(&g.obj[VGEN_TOKEN].claims, 44235, VGEN_BSTR, buf_a, 65);
}
static void m_rems3(void)
{
	memcpy(buf_a, g.rems, 1 + 3 * 66);
	buf_a[0] = 0x83;
	vgen_set(&g.obj[VGEN_TOKEN].claims, 44239, VGEN_RAW, buf_a, 1 + 3 * 66);
}
static void m_rem_short(void)
{
	static uint8_t r[4 * 66 + 1];

	memcpy(r, g.rems, g.rems_len);
	r[1 + 3 * 66 + 1] = 63; /* the last REM: 63 bytes */
	vgen_set(&g.obj[VGEN_TOKEN].claims, 44239, VGEN_RAW, r, g.rems_len - 1);
}
static void m_rem_text(void)
{
	static uint8_t r[4 * 66 + 1];

	memcpy(r, g.rems, g.rems_len);
	r[1 + 66] = 0x78; /* the second REM: text(64), valid UTF-8 */
	memset(r + 1 + 66 + 2, 'a', 64);
	vgen_set(&g.obj[VGEN_TOKEN].claims, 44239, VGEN_RAW, r, g.rems_len);
}
static void m_rems_map(void)
{
	static const uint8_t r[] = {0xa0};

	vgen_set(&g.obj[VGEN_TOKEN].claims, 44239, VGEN_RAW, r, 1);
}
static void m_hyp_code63(void)
{
	vgen_set(&g.obj[VGEN_HYP].claims, -4670545, VGEN_BSTR, g.hyp_code, 63);
}
static void m_vm_auth65(void)
{
	vgen_set(&g.obj[VGEN_VM].claims, -4670549, VGEN_BSTR, buf_b, 65);
}
static void m_mode2bytes(void)
{
	vgen_set(&g.obj[VGEN_HYP].claims, -4670551, VGEN_BSTR, "\x01\x00", 2);
}
static void m_hyp_mode4(void)
{
	g.hyp_mode = 4;
}
static void m_vm_mode3(void)
{
	g.vm_mode = 3;
}
static void m_vm_mode_debug(void)
{
	g.vm_mode = 2; /* the descriptor says protected */
}
static void m_vm_mode4(void)
{
	g.vm_mode = 4;
}
static void m_vm_mode0(void)
{
	g.vm_mode = 0;
}
static void m_vm_normal_not_protected(void)
{
	g.vm_config[23] = 0; /* the descriptor says not protected: mode must be 2 */
	SHA512(g.vm_config, sizeof(g.vm_config), g.vm_config_hash);
}
static void m_hyp_mode_empty(void)
{
	vgen_set(&g.obj[VGEN_HYP].claims, -4670551, VGEN_BSTR, "", 0);
}
static void m_key_usage(void)
{
	g.key_usage = 0x04;
}
static void m_vm_key_usage(void)
{
	vgen_set(&g.obj[VGEN_VM].claims, -4670553, VGEN_BSTR, "\x00", 1);
}
static void m_key_usage2(void)
{
	vgen_set(&g.obj[VGEN_VM].claims, -4670553, VGEN_BSTR, "\x20\x00", 2);
}
static void m_key_usage0(void)
{
	vgen_set(&g.obj[VGEN_HYP].claims, -4670553, VGEN_BSTR, "", 0);
}
static void m_hyp_profile_prefix(void)
{
	vgen_set(&g.obj[VGEN_HYP].claims, -4670554, VGEN_TSTR, "libpvm.dice.v1x", 15);
}
static void m_hyp_high_s(void)
{
	g.obj[VGEN_HYP].high_s = true;
}
static void m_vm_high_s(void)
{
	g.obj[VGEN_VM].high_s = true;
}
static void m_token_high_s(void)
{
	g.obj[VGEN_TOKEN].high_s = true;
}
static void m_vm_code_descriptor(void)
{
	vgen_set(&g.obj[VGEN_VM].claims, -4670546, VGEN_BSTR, "code", 4); /* codeDescriptor */
}
static void m_hyp_authority_descriptor(void)
{
	vgen_set(&g.obj[VGEN_HYP].claims, -4670550, VGEN_BSTR, "auth", 4);
}
static void m_cert_profile(void)
{
	vgen_set(&g.obj[VGEN_VM].claims, -4670554, VGEN_TSTR, "libpvm.dice.v2", 14);
}
static void m_token_profile(void)
{
	vgen_set(&g.obj[VGEN_TOKEN].claims, 265, VGEN_TSTR, "tag:arm.com,2023:realm#1.0", 26);
}
static void m_hash_alg(void)
{
	vgen_set(&g.obj[VGEN_TOKEN].claims, 44236, VGEN_TSTR, "sha-256", 7);
}
static void m_token_unknown(void)
{
	vgen_set(&g.obj[VGEN_TOKEN].claims, 44240, VGEN_BSTR, "x", 1);
}
static void m_cert_unknown(void)
{
	vgen_set(&g.obj[VGEN_HYP].claims, 3, VGEN_TSTR, "aud", 3);
}
static void m_token_missing(void)
{
	vgen_remove(&g.obj[VGEN_TOKEN].claims, 44236);
}
static void m_vm_desc_missing(void)
{
	vgen_remove(&g.obj[VGEN_VM].claims, -4670548);
}
static void m_hyp_sub_missing(void)
{
	vgen_remove(&g.obj[VGEN_HYP].claims, 2);
}
static void m_cert_type(void)
{
	vgen_set(&g.obj[VGEN_VM].claims, 1, VGEN_BSTR, g.hyp_id, 40);
}
static void m_unsorted(void)
{
	struct vgen_map *m = &g.obj[VGEN_TOKEN].claims;
	struct vgen_claim t;

	/* vgen_init adds claims in order: swap two neighbours, encode as listed. */
	m->keep_order = true;
	t = m->c[1];
	m->c[1] = m->c[2];
	m->c[2] = t;
}
static void m_duplicate(void)
{
	struct vgen_map *m = &g.obj[VGEN_TOKEN].claims;

	m->keep_order = true;
	m->c[m->n] = m->c[m->n - 1];
	m->n++;
}
static void m_payload_array(void)
{
	static const uint8_t p[] = {0x81, 0x01};

	g.obj[VGEN_TOKEN].payload = p;
	g.obj[VGEN_TOKEN].payload_len = sizeof(p);
}
static void m_payload_trailing(void)
{
	static uint8_t p[2];

	p[0] = 0xa0;
	p[1] = 0x00;
	g.obj[VGEN_VM].payload = p;
	g.obj[VGEN_VM].payload_len = sizeof(p);
}
static void m_payload_malformed(void)
{
	static const uint8_t p[] = {0xa1, 0x0a, 0x5a, 0xff, 0xff, 0xff, 0xff};

	g.obj[VGEN_TOKEN].payload = p;
	g.obj[VGEN_TOKEN].payload_len = sizeof(p);
}
static void m_payload_indefinite(void)
{
	static const uint8_t p[] = {0xbf, 0xff};

	g.obj[VGEN_HYP].payload = p;
	g.obj[VGEN_HYP].payload_len = sizeof(p);
}
static void m_payload_empty(void)
{
	static const uint8_t p[] = {0x00};

	g.obj[VGEN_HYP].payload = p;
	g.obj[VGEN_HYP].payload_len = 0;
}
/* COSE_Key variants: re-encode the VM key by hand. */
static size_t key_with(uint8_t kty, uint8_t alg, uint8_t crv, size_t xlen, const uint8_t *pub)
{
	size_t n = 0;

	buf_a[n++] = 0xa5;
	buf_a[n++] = 0x01;
	buf_a[n++] = kty;
	buf_a[n++] = 0x03;
	buf_a[n++] = alg;
	buf_a[n++] = 0x20;
	buf_a[n++] = crv;
	buf_a[n++] = 0x21;
	n += vgen_head(buf_a + n, 2, xlen);
	memcpy(buf_a + n, pub + 1, xlen);
	n += xlen;
	buf_a[n++] = 0x22;
	buf_a[n++] = 0x58;
	buf_a[n++] = 32;
	memcpy(buf_a + n, pub + 33, 32);
	return n + 32;
}
static void m_key_okp(void)
{
	size_t n = key_with(0x01, 0x26, 0x01, 32, g.vm.pub);

	vgen_set(&g.obj[VGEN_VM].claims, -4670552, VGEN_BSTR, buf_a, n);
}
static void m_key_alg(void)
{
	size_t n = key_with(0x02, 0x27, 0x01, 32, g.vm.pub); /* alg -8 EdDSA */

	vgen_set(&g.obj[VGEN_TOKEN].claims, 44237, VGEN_BSTR, buf_a, n);
}
static void m_key_crv(void)
{
	size_t n = key_with(0x02, 0x26, 0x02, 32, g.hyp.pub); /* P-384 */

	vgen_set(&g.obj[VGEN_HYP].claims, -4670552, VGEN_BSTR, buf_a, n);
}
static void m_key_x31(void)
{
	size_t n = key_with(0x02, 0x26, 0x01, 31, g.vm.pub);

	vgen_set(&g.obj[VGEN_VM].claims, -4670552, VGEN_BSTR, buf_a, n);
}
static void m_key_trailing(void)
{
	size_t n = vgen_cose_key(g.vm.pub, buf_a);

	buf_a[n++] = 0x00;
	vgen_set(&g.obj[VGEN_VM].claims, -4670552, VGEN_BSTR, buf_a, n);
}
static void m_hyp_key76(void)
{
	size_t n = vgen_cose_key(g.hyp.pub, buf_a);

	assert_int_equal(n, 77);
	vgen_set(&g.obj[VGEN_HYP].claims, -4670552, VGEN_BSTR, buf_a, 76);
}
static void m_hyp_key78(void)
{
	size_t n = vgen_cose_key(g.hyp.pub, buf_a);

	buf_a[n++] = 0xf6; /* null */
	vgen_set(&g.obj[VGEN_HYP].claims, -4670552, VGEN_BSTR, buf_a, n);
}
static void m_vm_key76(void)
{
	vgen_set(&g.obj[VGEN_VM].claims, -4670552, VGEN_BSTR, g.vm_key, 76);
}
static void m_key_off_curve(void)
{
	uint8_t pub[65];
	size_t n;

	memcpy(pub, g.vm.pub, 65);
	pub[64] ^= 1;
	n = vgen_cose_key(pub, buf_a);
	vgen_set(&g.obj[VGEN_VM].claims, -4670552, VGEN_BSTR, buf_a, n);
}
static void m_key_x_ge_p(void)
{
	uint8_t pub[65];
	size_t n;

	memset(pub, 0xff, 65);
	pub[0] = 0x04;
	n = vgen_cose_key(pub, buf_a);
	vgen_set(&g.obj[VGEN_TOKEN].claims, 44237, VGEN_BSTR, buf_a, n);
}
static void m_vm_config_hash(void)
{
	g.vm_config_hash[0] ^= 1;
}
static void m_vm_config_magic(void)
{
	g.vm_config[0] = 'L';
	SHA512(g.vm_config, sizeof(g.vm_config), g.vm_config_hash);
}
static void m_vm_config_protected2(void)
{
	g.vm_config[23] = 2;
	SHA512(g.vm_config, sizeof(g.vm_config), g.vm_config_hash);
}
static void m_vm_config_short(void)
{
	vgen_set(&g.obj[VGEN_VM].claims, -4670548, VGEN_BSTR, g.vm_config, 103);
	SHA512(g.vm_config, 103, g.vm_config_hash);
}
static void m_vm_debug(void)
{
	g.vm_config[23] = 0; /* not protected: debug mode, as it should be */
	SHA512(g.vm_config, sizeof(g.vm_config), g.vm_config_hash);
	g.vm_mode = 2;
}
static void m_hyp_desc(void)
{
	memset(g.hyp_config, 0, sizeof(g.hyp_config)); /* pvm-run's: 64 zero bytes */
	SHA512(g.hyp_config, sizeof(g.hyp_config), g.hyp_config_hash);
}
static void m_hyp_desc_bad(void)
{
	g.hyp_config[63] ^= 1; /* the hash left as it was */
}
/* The hypervisor's descriptor of @len bytes (from buf_b), its hash updated. */
static void hyp_desc_len(size_t len)
{
	vgen_set(&g.obj[VGEN_HYP].claims, -4670548, VGEN_BSTR, buf_b, len);
	SHA512(buf_b, len, g.hyp_config_hash);
}
static void m_hyp_desc_missing(void)
{
	vgen_remove(&g.obj[VGEN_HYP].claims, -4670548);
}
static void m_hyp_desc_empty(void)
{
	hyp_desc_len(0);
}
static void m_hyp_desc63(void)
{
	hyp_desc_len(63);
}
static void m_hyp_desc65(void)
{
	hyp_desc_len(65);
}
/* The VM's descriptor of @len bytes, the valid one then zeroes, its hash updated. */
static void vm_desc_len(size_t len)
{
	memset(buf_a, 0, sizeof(buf_a));
	memcpy(buf_a, g.vm_config, sizeof(g.vm_config));
	vgen_set(&g.obj[VGEN_VM].claims, -4670548, VGEN_BSTR, buf_a, len);
	SHA512(buf_a, len, g.vm_config_hash);
}
static void m_vm_desc_empty(void)
{
	vm_desc_len(0);
}
static void m_vm_desc105(void)
{
	vm_desc_len(105);
}
static void m_vm_desc_bstr_hash(void)
{
	/* The hypervisor's 64-byte kind of descriptor in the VM certificate. */
	vm_desc_len(64);
}
static void m_rpv(void)
{
	memcpy(buf_a, g.rpv, 64);
	buf_a[63] ^= 1;
	vgen_set(&g.obj[VGEN_TOKEN].claims, 44235, VGEN_BSTR, buf_a, 64);
}
static void m_two_objects(void)
{
	g.count = 2;
}
static void m_short_challenge(void)
{
	g.challenge_len = 1; /* valid: 1 byte */
	vgen_set(&g.obj[VGEN_TOKEN].claims, 10, VGEN_BSTR, g.challenge, 1);
}
static void m_long_challenge(void)
{
	g.challenge_len = 64; /* valid: 64 bytes */
	vgen_set(&g.obj[VGEN_TOKEN].claims, 10, VGEN_BSTR, g.challenge, 64);
}

struct change {
	const char *name;
	void (*fn)(void);
	int expect;
	int part;
};

static const struct change changes[] = {
	{"valid: 1-byte challenge", m_short_challenge, PVM_VERIFY_OK, 0},
	{"valid: 64-byte challenge", m_long_challenge, PVM_VERIFY_OK, 0},
	{"valid: non-protected VM in debug mode", m_vm_debug, PVM_VERIFY_OK, 0},
	{"valid: hypervisor descriptor of zeroes", m_hyp_desc, PVM_VERIFY_OK, 0},
	{"RIM != codeHash", m_rim, PVM_VERIFY_E_RIM, 4},
	{"token key != VM cert key", m_token_key, PVM_VERIFY_E_TOKEN_KEY, 4},
	{"token signed by another key", m_token_signer, PVM_VERIFY_E_SIG_TOKEN, 4},
	{"token signature corrupt", m_token_sig, PVM_VERIFY_E_SIG_TOKEN, 4},
	{"VM cert signed by root", m_vm_signer, PVM_VERIFY_E_SIG_VM, 3},
	{"hyp cert signed by itself", m_hyp_signer, PVM_VERIFY_E_SIG_HYP, 2},
	{"hyp iss != ID(root)", m_hyp_iss, PVM_VERIFY_E_ISS_HYP, 2},
	{"hyp iss upper case", m_hyp_iss_upper, PVM_VERIFY_E_ID, 2},
	{"hyp iss 39 chars", m_hyp_iss_short, PVM_VERIFY_E_ID, 2},
	{"hyp iss 41 chars", m_hyp_iss41, PVM_VERIFY_E_ID, 2},
	{"hyp iss first hex 8-f", m_hyp_iss_top_bit, PVM_VERIFY_E_ID, 2},
	{"hyp iss not hex", m_hyp_iss_not_hex, PVM_VERIFY_E_ID, 2},
	{"hyp sub 39 chars", m_hyp_sub39, PVM_VERIFY_E_ID, 2},
	{"hyp sub 41 chars", m_hyp_sub41, PVM_VERIFY_E_ID, 2},
	{"hyp sub upper case", m_hyp_sub_upper, PVM_VERIFY_E_ID, 2},
	{"hyp sub first hex 8-f", m_hyp_sub_top_bit, PVM_VERIFY_E_ID, 2},
	{"VM iss 39 chars", m_vm_iss39, PVM_VERIFY_E_ID, 3},
	{"VM iss 41 chars", m_vm_iss41, PVM_VERIFY_E_ID, 3},
	{"VM iss upper case", m_vm_iss_upper, PVM_VERIFY_E_ID, 3},
	{"VM iss first hex 8-f", m_vm_iss_top_bit, PVM_VERIFY_E_ID, 3},
	{"VM sub 39 chars", m_vm_sub39, PVM_VERIFY_E_ID, 3},
	{"VM sub 41 chars", m_vm_sub41, PVM_VERIFY_E_ID, 3},
	{"VM sub first hex 8-f", m_vm_sub_top_bit, PVM_VERIFY_E_ID, 3},
	{"VM sub empty", m_vm_sub_empty, PVM_VERIFY_E_ID, 3},
	{"hyp sub != ID(key)", m_hyp_sub, PVM_VERIFY_E_SUB_HYP, 2},
	{"VM iss != hyp sub", m_vm_iss, PVM_VERIFY_E_ISS_VM, 3},
	{"VM sub != ID(key)", m_vm_sub, PVM_VERIFY_E_SUB_VM, 3},
	{"hyp cert tagged", m_hyp_tagged, PVM_VERIFY_E_CERT_TAG, 2},
	{"VM cert tagged", m_vm_tagged, PVM_VERIFY_E_CERT_TAG, 3},
	{"token untagged", m_token_untagged, PVM_VERIFY_E_TOKEN_TAG, 4},
	{"token tag 98", m_token_tag98, PVM_VERIFY_E_TOKEN_TAG, 4},
	{"protected {1: -35}", m_prot_alg, PVM_VERIFY_E_PROTECTED, 3},
	{"protected empty", m_prot_empty, PVM_VERIFY_E_PROTECTED, 2},
	{"protected with extra label", m_prot_extra, PVM_VERIFY_E_PROTECTED, 4},
	{"unprotected not empty", m_unprot, PVM_VERIFY_E_UNPROTECTED, 4},
	{"unprotected an array", m_unprot_array, PVM_VERIFY_E_COSE, 2},
	{"signature 63 bytes", m_sig63, PVM_VERIFY_E_SIZE, 3},
	{"signature 65 bytes", m_sig65, PVM_VERIFY_E_SIZE, 4},
	{"token challenge 0 bytes", m_chal0, PVM_VERIFY_E_SIZE, 4},
	{"token challenge 65 bytes", m_chal65, PVM_VERIFY_E_SIZE, 4},
	{"token challenge differs", m_chal_other, PVM_VERIFY_E_CHALLENGE, 4},
	{"token challenge text", m_chal_text, PVM_VERIFY_E_CLAIM_TYPE, 4},
	{"RIM 63 bytes", m_rim63, PVM_VERIFY_E_SIZE, 4},
	{"RPV 65 bytes", m_rpv65, PVM_VERIFY_E_SIZE, 4},
	{"3 REMs", m_rems3, PVM_VERIFY_E_SIZE, 4},
	{"REM of 63 bytes", m_rem_short, PVM_VERIFY_E_SIZE, 4},
	{"REM as text", m_rem_text, PVM_VERIFY_E_CLAIM_TYPE, 4},
	{"REMs a map", m_rems_map, PVM_VERIFY_E_CLAIM_TYPE, 4},
	{"hyp codeHash 63 bytes", m_hyp_code63, PVM_VERIFY_E_SIZE, 2},
	{"VM authorityHash 65 bytes", m_vm_auth65, PVM_VERIFY_E_SIZE, 3},
	{"mode 2 bytes", m_mode2bytes, PVM_VERIFY_E_SIZE, 2},
	{"mode 0 bytes", m_hyp_mode_empty, PVM_VERIFY_E_SIZE, 2},
	{"hyp mode 4", m_hyp_mode4, PVM_VERIFY_E_MODE, 2},
	{"VM mode 4", m_vm_mode4, PVM_VERIFY_E_MODE, 3},
	{"VM mode 3", m_vm_mode3, PVM_VERIFY_E_MODE, 3},
	{"VM mode 0", m_vm_mode0, PVM_VERIFY_E_MODE, 3},
	{"protected VM in debug mode", m_vm_mode_debug, PVM_VERIFY_E_MODE, 3},
	{"non-protected VM in normal mode", m_vm_normal_not_protected, PVM_VERIFY_E_MODE, 3},
	{"keyUsage not keyCertSign", m_key_usage, PVM_VERIFY_E_KEY_USAGE, 2},
	{"VM keyUsage 0x00", m_vm_key_usage, PVM_VERIFY_E_KEY_USAGE, 3},
	{"keyUsage 2 bytes", m_key_usage2, PVM_VERIFY_E_SIZE, 3},
	{"keyUsage 0 bytes", m_key_usage0, PVM_VERIFY_E_SIZE, 2},
	{"cert profileName", m_cert_profile, PVM_VERIFY_E_PROFILE, 3},
	{"hyp profileName with a suffix", m_hyp_profile_prefix, PVM_VERIFY_E_PROFILE, 2},
	{"hyp cert signature high-S", m_hyp_high_s, PVM_VERIFY_E_HIGH_S, 2},
	{"VM cert signature high-S", m_vm_high_s, PVM_VERIFY_E_HIGH_S, 3},
	{"token signature high-S", m_token_high_s, PVM_VERIFY_E_HIGH_S, 4},
	{"token profile", m_token_profile, PVM_VERIFY_E_PROFILE, 4},
	{"hash algorithm sha-256", m_hash_alg, PVM_VERIFY_E_HASH_ALG, 4},
	{"token unknown claim", m_token_unknown, PVM_VERIFY_E_CLAIM_UNKNOWN, 4},
	{"cert unknown claim", m_cert_unknown, PVM_VERIFY_E_CLAIM_UNKNOWN, 2},
	{"VM cert codeDescriptor", m_vm_code_descriptor, PVM_VERIFY_E_CLAIM_UNKNOWN, 3},
	{"hyp cert authorityDescriptor", m_hyp_authority_descriptor, PVM_VERIFY_E_CLAIM_UNKNOWN, 2},
	{"token claim missing", m_token_missing, PVM_VERIFY_E_CLAIM_MISSING, 4},
	{"VM descriptor missing", m_vm_desc_missing, PVM_VERIFY_E_CLAIM_MISSING, 3},
	{"hyp sub missing", m_hyp_sub_missing, PVM_VERIFY_E_CLAIM_MISSING, 2},
	{"cert iss a bstr", m_cert_type, PVM_VERIFY_E_CLAIM_TYPE, 3},
	{"claims unsorted", m_unsorted, PVM_VERIFY_E_NONCANONICAL, 4},
	{"claim repeated", m_duplicate, PVM_VERIFY_E_NONCANONICAL, 4},
	{"payload an array", m_payload_array, PVM_VERIFY_E_PAYLOAD, 4},
	{"payload with trailing byte", m_payload_trailing, PVM_VERIFY_E_TRAILING, 3},
	{"payload truncated", m_payload_malformed, PVM_VERIFY_E_CBOR, 4},
	{"payload indefinite map", m_payload_indefinite, PVM_VERIFY_E_NONCANONICAL, 2},
	{"payload empty", m_payload_empty, PVM_VERIFY_E_CBOR, 2},
	{"key OKP", m_key_okp, PVM_VERIFY_E_KEY, 3},
	{"key alg EdDSA", m_key_alg, PVM_VERIFY_E_KEY, 4},
	{"key P-384", m_key_crv, PVM_VERIFY_E_KEY, 2},
	{"key x 31 bytes", m_key_x31, PVM_VERIFY_E_KEY, 3},
	{"key with trailing byte", m_key_trailing, PVM_VERIFY_E_KEY, 3},
	{"hyp subjectPublicKey 76 bytes", m_hyp_key76, PVM_VERIFY_E_KEY, 2},
	{"hyp subjectPublicKey 78 bytes", m_hyp_key78, PVM_VERIFY_E_KEY, 2},
	{"VM subjectPublicKey 76 bytes", m_vm_key76, PVM_VERIFY_E_KEY, 3},
	{"key off the curve", m_key_off_curve, PVM_VERIFY_E_KEY_POINT, 3},
	{"key x >= p", m_key_x_ge_p, PVM_VERIFY_E_KEY_POINT, 4},
	{"VM configurationHash wrong", m_vm_config_hash, PVM_VERIFY_E_CONFIG, 3},
	{"VM descriptor magic", m_vm_config_magic, PVM_VERIFY_E_CONFIG, 3},
	{"VM descriptor protected = 2", m_vm_config_protected2, PVM_VERIFY_E_CONFIG, 3},
	{"VM descriptor 103 bytes", m_vm_config_short, PVM_VERIFY_E_CONFIG, 3},
	{"VM descriptor 105 bytes", m_vm_desc105, PVM_VERIFY_E_CONFIG, 3},
	{"VM descriptor empty", m_vm_desc_empty, PVM_VERIFY_E_CONFIG, 3},
	{"VM descriptor 64 bytes", m_vm_desc_bstr_hash, PVM_VERIFY_E_CONFIG, 3},
	{"hyp descriptor hash wrong", m_hyp_desc_bad, PVM_VERIFY_E_CONFIG, 2},
	{"hyp descriptor missing", m_hyp_desc_missing, PVM_VERIFY_E_CLAIM_MISSING, 2},
	{"hyp descriptor empty", m_hyp_desc_empty, PVM_VERIFY_E_CONFIG, 2},
	{"hyp descriptor 63 bytes", m_hyp_desc63, PVM_VERIFY_E_CONFIG, 2},
	{"hyp descriptor 65 bytes", m_hyp_desc65, PVM_VERIFY_E_CONFIG, 2},
	{"token RPV != descriptor RPV", m_rpv, PVM_VERIFY_E_RPV, 4},
	{"evidence of two objects", m_two_objects, PVM_VERIFY_E_STRUCTURE, 1},
};

static void test_changes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		const struct change *c = &changes[i];
		int ret;

		fresh();
		memset(buf_b, 0x5a, sizeof(buf_b));
		c->fn();
		build();
		ret = verify(ev, ev_len);
		if (ret != c->expect || claims.fail_part != c->part)
			fail_msg("%s: got %d (%s) in part %d, expected %d (%s) in part %d", c->name,
				 ret, pvm_verify_strerror(ret), claims.fail_part, c->expect,
				 pvm_verify_strerror(c->expect), c->part);
	}
}

/*
 * Every claim of both certificates is required exactly once (§4): each one
 * left out is missing; each one given twice (in key order, next to itself)
 * is a repeated map key.
 */
static const int64_t cert_labels[] = {
	1, 2, -4670545, -4670547, -4670548, -4670549, -4670551, -4670552, -4670553, -4670554,
};

/* Deterministic order of integer labels: unsigned first, then by argument. */
static bool label_before(int64_t x, int64_t y)
{
	if ((x < 0) != (y < 0))
		return y < 0;
	return x < 0 ? x > y : x < y;
}

/* Sort @m into deterministic order, then give @label a second time right after itself. */
static void duplicate(struct vgen_map *m, int64_t label)
{
	size_t at = m->n;

	for (size_t i = 1; i < m->n; i++) {
		for (size_t j = i; j > 0 && label_before(m->c[j].label, m->c[j - 1].label); j--) {
			struct vgen_claim t = m->c[j];

			m->c[j] = m->c[j - 1];
			m->c[j - 1] = t;
		}
	}
	for (size_t i = 0; i < m->n; i++) {
		if (m->c[i].label == label)
			at = i;
	}
	assert_true(at < m->n && m->n < VGEN_MAX_CLAIMS);
	memmove(&m->c[at + 1], &m->c[at], (m->n - at) * sizeof(m->c[0]));
	m->n++;
	m->keep_order = true;
}

static void test_cert_claims_once(void **state)
{
	static const int certs[] = {VGEN_HYP, VGEN_VM};

	(void)state;
	for (size_t c = 0; c < 2; c++) {
		for (size_t i = 0; i < sizeof(cert_labels) / sizeof(cert_labels[0]); i++) {
			int64_t label = cert_labels[i];
			int ret;

			fresh();
			vgen_remove(&g.obj[certs[c]].claims, label);
			build();
			ret = verify(ev, ev_len);
			if (ret != PVM_VERIFY_E_CLAIM_MISSING || claims.fail_part != certs[c] + 2)
				fail_msg("cert %d without %lld: got %d (%s) in part %d", certs[c],
					 (long long)label, ret, pvm_verify_strerror(ret),
					 claims.fail_part);

			fresh();
			duplicate(&g.obj[certs[c]].claims, label);
			build();
			ret = verify(ev, ev_len);
			if (ret != PVM_VERIFY_E_NONCANONICAL || claims.fail_part != certs[c] + 2)
				fail_msg("cert %d with %lld twice: got %d (%s) in part %d",
					 certs[c], (long long)label, ret, pvm_verify_strerror(ret),
					 claims.fail_part);
		}
		/* The sorting itself changes nothing: sorted and unrepeated verifies. */
		fresh();
		duplicate(&g.obj[certs[c]].claims, 1);
		memmove(&g.obj[certs[c]].claims.c[0], &g.obj[certs[c]].claims.c[1],
			(g.obj[certs[c]].claims.n - 1) * sizeof(struct vgen_claim));
		g.obj[certs[c]].claims.n--;
		build();
		assert_int_equal(verify(ev, ev_len), PVM_VERIFY_OK);
	}
}

/* ---- Arguments ---- */

static void test_arguments(void **state)
{
	uint8_t bad_root[65];

	(void)state;
	fresh();
	build();
	assert_int_equal(pvm_verify_evidence(ev, ev_len, g.root.pub, g.challenge, 0, &claims),
			 PVM_VERIFY_E_INVAL);
	assert_int_equal(pvm_verify_evidence(ev, ev_len, g.root.pub, g.challenge, 65, &claims),
			 PVM_VERIFY_E_INVAL);
	assert_int_equal(pvm_verify_evidence(NULL, ev_len, g.root.pub, g.challenge, 32, &claims),
			 PVM_VERIFY_E_INVAL);
	assert_int_equal(pvm_verify_evidence(ev, ev_len, NULL, g.challenge, 32, &claims),
			 PVM_VERIFY_E_INVAL);
	assert_int_equal(pvm_verify_evidence(ev, ev_len, g.root.pub, NULL, 32, &claims),
			 PVM_VERIFY_E_INVAL);
	assert_int_equal(pvm_verify_evidence(ev, ev_len, g.root.pub, g.challenge, 32, NULL),
			 PVM_VERIFY_E_INVAL);
	/* Wrong challenge: shorter, longer, different. */
	assert_int_equal(pvm_verify_evidence(ev, ev_len, g.root.pub, g.challenge, 31, &claims),
			 PVM_VERIFY_E_CHALLENGE);
	assert_int_equal(pvm_verify_evidence(ev, ev_len, g.root.pub, g.challenge, 33, &claims),
			 PVM_VERIFY_E_CHALLENGE);
	assert_int_equal(pvm_verify_evidence(ev, ev_len, g.root.pub, g.rpv, 32, &claims),
			 PVM_VERIFY_E_CHALLENGE);
	assert_int_equal(claims.fail_part, PVM_VERIFY_PART_TOKEN);
	/* Wrong root key. */
	assert_int_equal(pvm_verify_evidence(ev, ev_len, g.other.pub, g.challenge, 32, &claims),
			 PVM_VERIFY_E_SIG_HYP);
	/* A root key that is no key. */
	memcpy(bad_root, g.root.pub, 65);
	bad_root[40] ^= 1;
	assert_int_equal(pvm_verify_evidence(ev, ev_len, bad_root, g.challenge, 32, &claims),
			 PVM_VERIFY_E_ROOT_KEY);
	bad_root[0] = 0x02;
	assert_int_equal(pvm_verify_evidence(ev, ev_len, bad_root, g.challenge, 32, &claims),
			 PVM_VERIFY_E_ROOT_KEY);
	/* Failure leaves no claims behind. */
	for (size_t i = 0; i < sizeof(claims.rim); i++)
		assert_int_equal(claims.rim[i], 0);
}

/* ---- Whole-evidence damage ---- */

static void test_byte_flips(void **state)
{
	static const uint8_t masks[] = {0x01, 0x80, 0xff, 0x20};
	uint8_t *copy = malloc(EV_MAX);

	(void)state;
	assert_non_null(copy);
	fresh();
	build();
	for (size_t i = 0; i < ev_len; i++) {
		for (size_t m = 0; m < sizeof(masks); m++) {
			int ret;

			memcpy(copy, ev, ev_len);
			copy[i] ^= masks[m];
			ret = verify(copy, ev_len);
			if (ret == PVM_VERIFY_OK)
				fail_msg("flip of byte %zu by %#x accepted", i, masks[m]);
			assert_rejected(ret);
		}
	}
	free(copy);
}

static void test_truncation(void **state)
{
	(void)state;
	fresh();
	build();
	for (size_t len = 0; len < ev_len; len++) {
		/* A heap copy of exactly len bytes: ASan sees any overread. */
		uint8_t *copy = malloc(len ? len : 1);

		assert_non_null(copy);
		memcpy(copy, ev, len);
		assert_int_equal(verify(copy, len), PVM_VERIFY_E_CBOR);
		free(copy);
	}
}

static void test_size_and_trailing(void **state)
{
	uint8_t *big = calloc(1, 17 * 1024);

	(void)state;
	assert_non_null(big);
	fresh();
	build();
	memcpy(big, ev, ev_len);
	assert_int_equal(verify(big, 17 * 1024), PVM_VERIFY_E_TOO_BIG);
	assert_int_equal(verify(big, PVM_VERIFY_EVIDENCE_MAX + 1), PVM_VERIFY_E_TOO_BIG);
	/* Exactly the limit is read (and has trailing zeroes). */
	assert_int_equal(verify(big, PVM_VERIFY_EVIDENCE_MAX), PVM_VERIFY_E_TRAILING);
	assert_int_equal(verify(big, ev_len + 1), PVM_VERIFY_E_TRAILING);
	big[ev_len] = 0xff; /* a lone break */
	assert_int_equal(verify(big, ev_len + 1), PVM_VERIFY_E_TRAILING);
	memcpy(big + ev_len, ev, ev_len); /* the evidence twice */
	assert_int_equal(verify(big, 2 * ev_len), PVM_VERIFY_E_TRAILING);
	free(big);
}

struct raw_case {
	const char *name;
	const uint8_t *bytes;
	size_t len;
	int expect;
};

#define RAW(name, expect, ...)                                                                     \
	{                                                                                          \
		name, (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}),      \
			expect                                                                     \
	}

static void test_malformed(void **state)
{
	const struct raw_case cases[] = {
		RAW("indefinite array", PVM_VERIFY_E_NONCANONICAL, 0x9f, 0x01, 0x02, 0x03, 0xff),
		RAW("indefinite bstr", PVM_VERIFY_E_NONCANONICAL, 0x5f, 0x41, 0x00, 0xff),
		RAW("indefinite map", PVM_VERIFY_E_NONCANONICAL, 0xbf, 0xff),
		RAW("indefinite inside", PVM_VERIFY_E_NONCANONICAL, 0x83, 0x9f, 0xff, 0x00, 0x00),
		RAW("long-form integer", PVM_VERIFY_E_NONCANONICAL, 0x83, 0x18, 0x05, 0x00, 0x00),
		RAW("long-form array length", PVM_VERIFY_E_NONCANONICAL, 0x98, 0x03, 0x00, 0x00,
		    0x00),
		RAW("long-form tag", PVM_VERIFY_E_NONCANONICAL, 0xd8, 0x12, 0x80),
		RAW("array of 2^64-1", PVM_VERIFY_E_CBOR, 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff),
		RAW("array of 2^31", PVM_VERIFY_E_CBOR, 0x9a, 0x80, 0x00, 0x00, 0x00, 0x00),
		RAW("map of 2^32-1", PVM_VERIFY_E_CBOR, 0xba, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00),
		RAW("map with odd room", PVM_VERIFY_E_CBOR, 0xa2, 0x01, 0x02, 0x03),
		RAW("bstr of 2^64-1", PVM_VERIFY_E_CBOR, 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff),
		RAW("text of 2^32-1", PVM_VERIFY_E_CBOR, 0x7a, 0xff, 0xff, 0xff, 0xff, 0x61),
		RAW("truncated head", PVM_VERIFY_E_CBOR, 0x19, 0x01),
		RAW("reserved info 28", PVM_VERIFY_E_CBOR, 0x1c),
		RAW("reserved info 30", PVM_VERIFY_E_CBOR, 0x83, 0x5e, 0x00, 0x00),
		RAW("lone break", PVM_VERIFY_E_CBOR, 0xff),
		RAW("indefinite integer", PVM_VERIFY_E_CBOR, 0x1f),
		RAW("two-byte simple < 32", PVM_VERIFY_E_CBOR, 0xf8, 0x10),
		RAW("an integer", PVM_VERIFY_E_STRUCTURE, 0x01),
		RAW("an empty map", PVM_VERIFY_E_STRUCTURE, 0xa0),
		RAW("an empty array", PVM_VERIFY_E_STRUCTURE, 0x80),
		RAW("a float", PVM_VERIFY_E_STRUCTURE, 0xfb, 0, 0, 0, 0, 0, 0, 0, 0),
		RAW("a tagged array of 3", PVM_VERIFY_E_STRUCTURE, 0xd2, 0x83, 0x00, 0x00, 0x00),
		RAW("array of 4", PVM_VERIFY_E_STRUCTURE, 0x84, 0x00, 0x00, 0x00, 0x00),
		RAW("array of 3 integers", PVM_VERIFY_E_COSE, 0x83, 0x01, 0x02, 0x03),
		RAW("array of 3 empty arrays", PVM_VERIFY_E_COSE, 0x83, 0x80, 0x80, 0x80),
		RAW("COSE of 3", PVM_VERIFY_E_COSE, 0x83, 0x83, 0x43, 0xa1, 0x01, 0x26, 0xa0, 0x40,
		    0x00, 0x00),
		RAW("COSE with text payload", PVM_VERIFY_E_COSE, 0x83, 0x84, 0x43, 0xa1, 0x01, 0x26,
		    0xa0, 0x60, 0x40, 0x00, 0x00),
		RAW("COSE with signature 0", PVM_VERIFY_E_SIZE, 0x83, 0x84, 0x43, 0xa1, 0x01, 0x26,
		    0xa0, 0x40, 0x40, 0x00, 0x00),
		RAW("empty", PVM_VERIFY_E_CBOR, 0x00),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct raw_case *c = &cases[i];
		size_t len = strcmp(c->name, "empty") ? c->len : 0;
		int ret = verify(c->bytes, len);

		if (ret != c->expect)
			fail_msg("%s: got %d (%s), expected %d", c->name, ret,
				 pvm_verify_strerror(ret), c->expect);
	}
}

static void test_deep_nesting(void **state)
{
	uint8_t *deep = malloc(PVM_VERIFY_EVIDENCE_MAX);

	(void)state;
	assert_non_null(deep);
	/* 16 K of nested one-element arrays: no recursion may follow them. */
	memset(deep, 0x81, PVM_VERIFY_EVIDENCE_MAX);
	deep[PVM_VERIFY_EVIDENCE_MAX - 1] = 0x00;
	assert_int_equal(verify(deep, PVM_VERIFY_EVIDENCE_MAX), PVM_VERIFY_E_STRUCTURE);
	/* Nested tags, likewise. */
	memset(deep, 0xd2, PVM_VERIFY_EVIDENCE_MAX);
	assert_int_equal(verify(deep, PVM_VERIFY_EVIDENCE_MAX), PVM_VERIFY_E_STRUCTURE);
	/* Many small items at shallow depth: bounded, rejected. */
	deep[0] = 0x99;
	deep[1] = 0x3f;
	deep[2] = 0xf0;
	memset(deep + 3, 0x00, PVM_VERIFY_EVIDENCE_MAX - 3);
	assert_int_equal(verify(deep, 3 + 0x3ff0), PVM_VERIFY_E_STRUCTURE);
	free(deep);
}

/* Random damage: several bytes changed, inserted or removed. Never accepted, never a crash. */
static void test_random_mutations(void **state)
{
	uint8_t *copy = malloc(EV_MAX + 16);
	uint64_t x = 0x9e3779b97f4a7c15ull;

	(void)state;
	assert_non_null(copy);
	fresh();
	build();
	for (int iter = 0; iter < 3000; iter++) {
		size_t len = ev_len;
		int n = 1 + iter % 4, ret;

		memcpy(copy, ev, ev_len);
		for (int k = 0; k < n; k++) {
			size_t at;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			at = (size_t)(x >> 8) % len;
			switch ((x >> 60) & 3) {
			case 0: /* insert */
				memmove(copy + at + 1, copy + at, len - at);
				copy[at] = (uint8_t)x;
				len++;
				break;
			case 1: /* delete */
				memmove(copy + at, copy + at + 1, len - at - 1);
				len--;
				break;
			default:
				copy[at] ^= (uint8_t)(x | 1);
				break;
			}
		}
		ret = verify(copy, len);
		if (len == ev_len && !memcmp(copy, ev, len))
			continue;
		if (ret == PVM_VERIFY_OK)
			fail_msg("mutation %d accepted", iter);
		assert_rejected(ret);
	}
	free(copy);
}

static void test_strerror(void **state)
{
	(void)state;
	for (int s = PVM_VERIFY_OK; s >= PVM_VERIFY_E_HIGH_S; s--)
		assert_string_not_equal(pvm_verify_strerror(s), "unknown verification error");
	assert_string_equal(pvm_verify_strerror(1), "unknown verification error");
	assert_string_equal(pvm_verify_strerror(PVM_VERIFY_E_HIGH_S - 1),
			    "unknown verification error");
	assert_string_equal(pvm_verify_part_name(PVM_VERIFY_PART_TOKEN), "token");
}

/* ---- Files for the CLI ---- */

static void put(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void put_hex(const char *dir, const char *name, const uint8_t *data, size_t len)
{
	char *text = malloc(3 * len + 2);
	size_t n = 0;

	assert_non_null(text);
	/* As a console prints it: 32 bytes a line. */
	for (size_t i = 0; i < len; i++) {
		vgen_hex(data + i, 1, text + n);
		n += 2;
		if (i % 32 == 31)
			text[n++] = '\n';
	}
	text[n++] = '\n';
	put(dir, name, text, n);
	free(text);
}

/* Evidence the CLI must reject, one check each (its tests: below and tools/pvm-verify). */
static const struct cli_mutant {
	const char *file;
	void (*fn)(void);
	int expect;
	int part;
} cli_mutants[] = {
	{"hyp_desc_missing.bin", m_hyp_desc_missing, PVM_VERIFY_E_CLAIM_MISSING, 2},
	{"hyp_desc65.bin", m_hyp_desc65, PVM_VERIFY_E_CONFIG, 2},
	{"vm_desc105.bin", m_vm_desc105, PVM_VERIFY_E_CONFIG, 3},
	{"hyp_sub_top_bit.bin", m_hyp_sub_top_bit, PVM_VERIFY_E_ID, 2},
	{"vm_iss_upper.bin", m_vm_iss_upper, PVM_VERIFY_E_ID, 3},
	{"vm_mode_mismatch.bin", m_vm_mode_debug, PVM_VERIFY_E_MODE, 3},
	{"hyp_high_s.bin", m_hyp_high_s, PVM_VERIFY_E_HIGH_S, 2},
	{"vm_high_s.bin", m_vm_high_s, PVM_VERIFY_E_HIGH_S, 3},
	{"token_high_s.bin", m_token_high_s, PVM_VERIFY_E_HIGH_S, 4},
};

static void write_fixtures(const char *dir)
{
	char path[4096];
	FILE *f;

	mkdir(dir, 0755);
	build();
	assert_int_equal(verify(ev, ev_len), PVM_VERIFY_OK);
	put(dir, "evidence.bin", ev, ev_len);
	put_hex(dir, "evidence.hex", ev, ev_len);
	put(dir, "root.bin", g.root.pub, 65);
	put_hex(dir, "root.hex", g.root.pub, 65);
	put(dir, "other_root.bin", g.other.pub, 65);
	snprintf(path, sizeof(path), "%s/root.pem", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PUBKEY(f, g.root.pkey), 1);
	fclose(f);
	ev[ev_len - 1] ^= 1; /* the token's signature */
	put(dir, "tampered.bin", ev, ev_len);
	ev[ev_len - 1] ^= 1;
	for (size_t i = 0; i < sizeof(cli_mutants) / sizeof(cli_mutants[0]); i++) {
		fresh();
		memset(buf_b, 0x5a, sizeof(buf_b));
		cli_mutants[i].fn();
		build();
		assert_int_equal(verify(ev, ev_len), cli_mutants[i].expect);
		put(dir, cli_mutants[i].file, ev, ev_len);
	}
	fresh();
}

static int run(const char *args, char *out, size_t out_size)
{
	char cmd[8192];
	FILE *p;
	size_t n = 0;
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1", PVM_VERIFY_CLI, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (n + 1 < out_size) {
		size_t r = fread(out + n, 1, out_size - 1 - n, p);

		if (!r)
			break;
		n += r;
	}
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_cli(void **state)
{
	static char out[65536];
	char args[4096], chal[129], rim[129];
	const char *dir = "test_verify_cli";

	(void)state;
	fresh();
	write_fixtures(dir);
	vgen_hex(g.challenge, g.challenge_len, chal);
	vgen_hex(g.rim, 64, rim);

	snprintf(args, sizeof(args), "--root %s/root.bin --challenge %s %s/evidence.bin", dir, chal,
		 dir);
	assert_int_equal(run(args, out, sizeof(out)), 0);
	assert_non_null(strstr(out, rim));
	assert_non_null(strstr(out, g.vm_id));
	assert_non_null(strstr(out, "\"rem\": ["));

	snprintf(args, sizeof(args), "--root %s/root.hex --challenge %s --hex %s/evidence.hex", dir,
		 chal, dir);
	assert_int_equal(run(args, out, sizeof(out)), 0);
	assert_non_null(strstr(out, rim));

	snprintf(args, sizeof(args), "--root %s/root.pem --challenge %s %s/evidence.bin", dir, chal,
		 dir);
	assert_int_equal(run(args, out, sizeof(out)), 0);

	snprintf(args, sizeof(args), "--root %s/root.bin --challenge 00%s %s/evidence.bin", dir,
		 chal, dir);
	assert_int_equal(run(args, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "pvm-verify: token: challenge mismatch"));

	snprintf(args, sizeof(args), "--root %s/root.bin --challenge %s %s/tampered.bin", dir, chal,
		 dir);
	assert_int_equal(run(args, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "pvm-verify: token: token signature does not verify"));

	for (size_t i = 0; i < sizeof(cli_mutants) / sizeof(cli_mutants[0]); i++) {
		const struct cli_mutant *m = &cli_mutants[i];
		char want[512];

		snprintf(args, sizeof(args), "--root %s/root.bin --challenge %s %s/%s", dir, chal,
			 dir, m->file);
		snprintf(want, sizeof(want), "pvm-verify: %s: %s", pvm_verify_part_name(m->part),
			 pvm_verify_strerror(m->expect));
		assert_int_equal(run(args, out, sizeof(out)), 1);
		if (!strstr(out, want))
			fail_msg("%s: '%s' does not say '%s'", m->file, out, want);
	}

	assert_int_equal(run("--challenge 00", out, sizeof(out)), 2);
	assert_int_equal(run("--bogus", out, sizeof(out)), 2);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_id_known_answer),
		cmocka_unit_test(test_id_top_bit),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_cert_claims_once),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_byte_flips),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_size_and_trailing),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_random_mutations),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_cli),
	};

	if (argc == 3 && !strcmp(argv[1], "--write-fixtures")) {
		if (vgen_init(&g))
			return 1;
		write_fixtures(argv[2]);
		vgen_free(&g);
		return 0;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
