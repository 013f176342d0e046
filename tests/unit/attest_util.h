/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the attestation tests: a machine with attestation initialised,
 * VMs with a chosen configuration, and known answers computed by the
 * `openssl` command line (never by the code under test).
 */
#ifndef PVM_TEST_ATTEST_UTIL_H
#define PVM_TEST_ATTEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/attest.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vcpu_fixture.h"

/* The profile's salts, transcribed from the Open Profile for DICE text. */
#define ASYM_SALT_HEX                                                                              \
	"63B6A04D2C077FC10F639F21DA793844356CC2B0B441B3A77124035C03F8E1BE"                         \
	"6035D31F282821A7450A02222AB1B3CFF1679B05AB1CA5D1AFFB789CCD2B0B3B"
#define ID_SALT_HEX                                                                                \
	"DBDBAEBC8020DA9FF0DD5A24C83AA5A54286DFC263031E329B4DA148430659FE"                         \
	"62CDB5B7E1E00FC680306711EB444AF77209359496FCFF1DB9520BA51C7B29EA"

/* P-256's group order n, big-endian. */
static const uint8_t p256_n[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
				   0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
				   0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

static char au_dir[64];

static inline void au_tmpdir(void)
{
	if (!au_dir[0]) {
		snprintf(au_dir, sizeof(au_dir), "/tmp/pvm-attest-XXXXXX");
		assert_non_null(mkdtemp(au_dir));
	}
}

static inline void au_cleanup(void)
{
	char cmd[128];

	if (au_dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", au_dir);
		if (system(cmd))
			fprintf(stderr, "cannot remove %s\n", au_dir);
		au_dir[0] = 0;
	}
}

static inline void au_hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = 0;
}

/* Parse hex digits (colons, spaces and a "xxx= " prefix ignored) into @out; returns bytes. */
static inline size_t au_unhex(const char *s, uint8_t *out, size_t max)
{
	const char *eq = strstr(s, "= ");
	size_t n = 0;
	int hi = -1;

	if (eq)
		s = eq + 2;
	for (; *s && n < max; s++) {
		int v;

		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

/* Run a shell command, return its stdout (static buffer). */
static inline const char *au_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline const char *au_run(const char *fmt, ...)
{
	static char out[8192];
	char cmd[4096];
	va_list ap;
	size_t n;
	FILE *f;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	rc = pclose(f);
	if (rc)
		fail_msg("command failed (%d): %s\n%s", rc, cmd, out);
	return out;
}

/* Write @n bytes to a file in the temporary directory; returns its path (static). */
static inline const char *au_file(const char *name, const void *data, size_t n)
{
	static char path[8][128];
	static unsigned next;
	char *p = path[next++ % 8];
	FILE *f;

	au_tmpdir();
	snprintf(p, 128, "%s/%s", au_dir, name);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
	return p;
}

/* openssl dgst -sha512 of @n bytes. */
static inline void ossl_sha512(const void *data, size_t n, uint8_t out[64])
{
	const char *f = au_file("sha.in", data, n);

	assert_int_equal(au_unhex(au_run("openssl dgst -sha512 -hex '%s'", f), out, 64), 64);
}

/* openssl kdf ... HKDF with SHA-512; @salt_hex may be empty only if @ikm... (never: callers give
 * one). */
static inline void ossl_hkdf(size_t len, const uint8_t *ikm, size_t ikm_len, const char *salt_hex,
			     const char *info, uint8_t *out)
{
	char ikm_hex[2 * 128 + 1];

	assert_true(ikm_len <= 128);
	au_hex(ikm, ikm_len, ikm_hex);
	assert_int_equal(
		au_unhex(au_run("openssl kdf -keylen %zu -kdfopt digest:SHA512 "
				"-kdfopt hexkey:%s -kdfopt hexsalt:%s -kdfopt info:'%s' HKDF",
				len, ikm_hex, salt_hex, info),
			 out, len),
		len);
}

static inline void ossl_hkdf_bin_salt(size_t len, const uint8_t *ikm, size_t ikm_len,
				      const uint8_t *salt, size_t salt_len, const char *info,
				      uint8_t *out)
{
	char salt_hex[2 * 128 + 1];

	assert_true(salt_len <= 128);
	au_hex(salt, salt_len, salt_hex);
	ossl_hkdf(len, ikm, ikm_len, salt_hex, info, out);
}

/* ID(pub) (§2): openssl's HKDF, then the top bit cleared as the profile says. */
static inline void ossl_dice_id(const uint8_t pub[65], uint8_t id[20])
{
	ossl_hkdf(20, pub, 65, ID_SALT_HEX, "ID", id);
	id[0] &= 0x7f;
}

/* openssl mac HMAC-SHA256(key, data). */
static inline void ossl_hmac(const uint8_t key[32], const void *data, size_t n, uint8_t out[32])
{
	char key_hex[65];
	const char *f = au_file("hmac.in", data, n);

	au_hex(key, 32, key_hex);
	assert_int_equal(
		au_unhex(au_run("openssl mac -digest SHA256 -macopt hexkey:%s -in '%s' HMAC",
				key_hex, f),
			 out, 32),
		32);
}

/* HMAC_DRBG Update (SP 800-90A §10.1.2.2) with @data (may be empty). */
static inline void drbg_update(uint8_t k[32], uint8_t v[32], const uint8_t *data, size_t n)
{
	uint8_t in[32 + 1 + 64];
	unsigned round;

	assert_true(n <= 64);
	for (round = 0; round < 2; round++) {
		memcpy(in, v, 32);
		in[32] = (uint8_t)round;
		if (n)
			memcpy(in + 33, data, n);
		ossl_hmac(k, in, 33 + n, k);
		ossl_hmac(k, v, 32, v);
		if (!n)
			break;
	}
}

/* P256_FROM_SEED's scalar: HMAC_DRBG-SHA256 instantiated with the seed, first output in [1, n-1].
 */
static inline void ossl_drbg_scalar(const uint8_t seed[32], uint8_t priv[32])
{
	uint8_t k[32], v[32];
	unsigned tries;

	memset(k, 0, 32);
	memset(v, 1, 32);
	drbg_update(k, v, seed, 32); /* instantiate: entropy = seed, no nonce or personalization */
	for (tries = 0; tries < 4; tries++) {
		ossl_hmac(k, v, 32, v); /* generate: V = HMAC(K, V), output V */
		memcpy(priv, v, 32);
		drbg_update(k, v, NULL, 0);
		if (memcmp(priv, p256_n, 32) < 0 && memcmp(priv, (uint8_t[32]){0}, 32) != 0)
			return;
	}
	fail_msg("no scalar in range");
}

/* The public point of a private scalar, by openssl ec from a SEC1 key without its point. */
static inline void ossl_p256_pub(const uint8_t priv[32], uint8_t pub[65])
{
	static const uint8_t pre[] = {0x30, 0x31, 0x02, 0x01, 0x01, 0x04, 0x20};
	static const uint8_t post[] = {0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86,
				       0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
	uint8_t der[sizeof(pre) + 32 + sizeof(post)], spki[128];
	const char *f;
	char path[160];
	FILE *in;
	size_t n;

	memcpy(der, pre, sizeof(pre));
	memcpy(der + sizeof(pre), priv, 32);
	memcpy(der + sizeof(pre) + 32, post, sizeof(post));
	f = au_file("key.der", der, sizeof(der));
	snprintf(path, sizeof(path), "%s/pub.der", au_dir);
	au_run("openssl ec -inform DER -in '%s' -pubout -outform DER -out '%s' 2>&1", f, path);
	in = fopen(path, "rb");
	assert_non_null(in);
	n = fread(spki, 1, sizeof(spki), in);
	fclose(in);
	assert_int_equal(n, 91); /* SubjectPublicKeyInfo: 26-byte header + the point */
	memcpy(pub, spki + n - 65, 65);
}

/* Verify an ES256 signature (r ‖ s) over @msg with openssl dgst -sha256 -verify. */
static inline bool ossl_verify(const uint8_t pub[65], const void *msg, size_t n,
			       const uint8_t sig[64])
{
	static const uint8_t spki_hdr[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
					   0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
					   0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
	uint8_t spki[sizeof(spki_hdr) + 65], der[72], ints[2][34];
	size_t il[2], len = 0, i;
	const char *fk, *fm, *fs;
	char pem[160], cmd[600];

	/* r ‖ s to DER: SEQUENCE { INTEGER r, INTEGER s }, minimal, positive. */
	for (i = 0; i < 2; i++) {
		const uint8_t *x = sig + 32 * i;
		size_t skip = 0;

		while (skip < 31 && !x[skip])
			skip++;
		il[i] = 0;
		if (x[skip] & 0x80)
			ints[i][il[i]++] = 0;
		memcpy(ints[i] + il[i], x + skip, 32 - skip);
		il[i] += 32 - skip;
	}
	der[len++] = 0x30;
	der[len++] = (uint8_t)(4 + il[0] + il[1]);
	for (i = 0; i < 2; i++) {
		der[len++] = 0x02;
		der[len++] = (uint8_t)il[i];
		memcpy(der + len, ints[i], il[i]);
		len += il[i];
	}
	memcpy(spki, spki_hdr, sizeof(spki_hdr));
	memcpy(spki + sizeof(spki_hdr), pub, 65);
	fk = au_file("vpub.der", spki, sizeof(spki));
	fm = au_file("msg.bin", msg, n);
	fs = au_file("sig.der", der, len);
	snprintf(pem, sizeof(pem), "%s/vpub.pem", au_dir);
	au_run("openssl pkey -pubin -inform DER -in '%s' -out '%s'", fk, pem);
	snprintf(cmd, sizeof(cmd),
		 "openssl dgst -sha256 -verify '%s' -signature '%s' '%s' >/dev/null 2>&1", pem, fs,
		 fm);
	return system(cmd) == 0;
}

/* ---- machine and VMs ---- */

#define AU_MODE 1

static inline void au_config(struct pvm_attest_config *cfg, uint8_t fill)
{
	unsigned i;

	for (i = 0; i < sizeof(cfg->uds); i++)
		cfg->uds[i] = (uint8_t)(fill + i);
	for (i = 0; i < 64; i++) {
		cfg->code_hash[i] = (uint8_t)(0x10 + i);
		cfg->config_hash[i] = (uint8_t)(0x80 ^ i);
		cfg->authority_hash[i] = (uint8_t)(0xa0 + i);
	}
	cfg->mode = AU_MODE;
}

/* fx_setup + pvm_attest_init with au_config(0x42). */
static inline int au_setup(void **state)
{
	struct pvm_attest_config cfg;

	fx_setup(state);
	au_config(&cfg, 0x42);
	assert_int_equal(pvm_attest_init(fx_hyp, &cfg), PVM_OK);
	return 0;
}

static inline int au_teardown(void **state)
{
	au_cleanup();
	return fx_teardown(state);
}

/* A VM (no vCPUs) with guest RAM at FX_GUEST_RAM and the given RPV fill. */
static inline unsigned au_vm(bool protected_vm, uint8_t rpv_fill)
{
	struct pvm_vm_config cfg = {.ipa_bits = 36,
				    .protected_vm = protected_vm,
				    .ram_base = FX_GUEST_RAM,
				    .ram_size = FX_GUEST_RAM_SIZE};
	uint64_t n = pvm_vm_create_pages(36), first, i;
	unsigned h;

	memset(cfg.rpv, rpv_fill, sizeof(cfg.rpv));
	first = fx_host_page();
	while (first & ((n - 1) * FX_PAGE))
		first = fx_host_page();
	for (i = 1; i < n; i++)
		assert_int_equal(fx_host_page(), first + i * FX_PAGE);
	assert_int_equal(pvm_vm_create(fx_hyp, &cfg, pvm_pa(first), n, &h, NULL), PVM_OK);
	return h;
}

/* @npages fresh host pages filled from @seed; returns the first PA. */
static inline uint64_t au_image(uint64_t npages, uint8_t seed)
{
	uint64_t first = fx_host_page(), i;
	uint8_t *p;
	size_t j;

	for (i = 1; i < npages; i++)
		assert_int_equal(fx_host_page(), first + i * FX_PAGE);
	p = pvm_sim_ram(pvm_pa(first), npages * FX_PAGE);
	for (j = 0; j < npages * FX_PAGE; j++)
		p[j] = (uint8_t)(seed + j * 7 + (j >> 12));
	return first;
}

static inline void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#endif
