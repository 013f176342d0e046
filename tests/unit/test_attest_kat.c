/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Known answers for every derivation of docs/attestation.md, each computed
 * independently with the `openssl` command line: SHA-512 (dgst), HKDF-SHA512
 * (kdf), HMAC-SHA256 (mac) stepping HMAC_DRBG by hand, the public point of a
 * scalar (ec), and ES256 signatures (dgst -verify).
 */
#include "attest_util.h"

#include "attest/attest_internal.h"
#include "attest/attest_priv.h"
#include "attest/attest_state.h"

/* The salts in the code are the profile's, byte for byte. */
static void test_salts(void **state)
{
	uint8_t b[64];

	(void)state;
	assert_int_equal(au_unhex(ASYM_SALT_HEX, b, 64), 64);
	assert_memory_equal(dice_asym_salt, b, 64);
	assert_int_equal(au_unhex(ID_SALT_HEX, b, 64), 64);
	assert_memory_equal(dice_id_salt, b, 64);
}

/* RIM = H(RIM ‖ record), docs/attestation.md §1.1, one record at a time. */
static void rim_ext(uint8_t rim[64], const uint8_t *rec, size_t len)
{
	uint8_t in[64 + 89];

	assert_true(len <= 89);
	memcpy(in, rim, 64);
	memcpy(in + 64, rec, len);
	ossl_sha512(in, 64 + len, rim);
}

/* The creation record, then one of each kind in the order the host does them. */
static void test_rim(void **state)
{
	uint8_t in[13 + 4 + 1 + 8 + 8], rec[89], rim[64];
	struct pvm_measurement m;
	unsigned h = au_vm(true, 0), idx;
	uint64_t pa = au_image(3, 9), zpa;
	const uint8_t *z;

	(void)state;
	memcpy(in, "libpvm RIM v2", 13);
	put_le(in + 13, 36, 4);
	in[17] = 1;
	put_le(in + 18, FX_GUEST_RAM, 8);
	put_le(in + 26, FX_GUEST_RAM_SIZE, 8);
	ossl_sha512(in, sizeof(in), rim);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
	assert_memory_equal(m.rim, rim, 64);
	assert_false(m.sealed);

	/* 0x01: the content is hashed as the guest owns it, the three pages as loaded. */
	rec[0] = 0x01;
	put_le(rec + 1, FX_GUEST_RAM + 0x10000, 8);
	put_le(rec + 9, 3 * FX_PAGE, 8);
	put_le(rec + 17, PVM_MEASURE_CODE | PVM_MEASURE_DATA, 8);
	ossl_sha512(pvm_sim_ram(pvm_pa(pa), 3 * FX_PAGE), 3 * FX_PAGE, rec + 25);
	rim_ext(rim, rec, 89);
	assert_int_equal(pvm_vm_load_measured(fx_hyp, h, pvm_pa(pa),
					      pvm_ipa(FX_GUEST_RAM + 0x10000), 3,
					      PVM_MEASURE_CODE | PVM_MEASURE_DATA, NULL),
			 PVM_OK);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
	assert_memory_equal(m.rim, rim, 64);

	/* 0x02: a plain donation is address and size only, and the guest gets zeroes. */
	zpa = au_image(2, 77);
	rec[0] = 0x02;
	put_le(rec + 1, FX_GUEST_RAM + 0x20000, 8);
	put_le(rec + 9, 2 * FX_PAGE, 8);
	rim_ext(rim, rec, 17);
	assert_int_equal(pvm_host_donate_guest(fx_hyp, h, pvm_pa(zpa),
					       pvm_ipa(FX_GUEST_RAM + 0x20000), 2, NULL),
			 PVM_OK);
	z = pvm_sim_ram(pvm_pa(zpa), 2 * FX_PAGE);
	for (size_t i = 0; i < 2 * FX_PAGE; i++)
		assert_int_equal(z[i], 0);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
	assert_memory_equal(m.rim, rim, 64);

	/* 0x03: a vCPU; 0x04: its boot state. */
	assert_int_equal(pvm_vcpu_create(fx_hyp, h, pvm_pa(fx_host_page()), &idx, NULL), PVM_OK);
	rec[0] = 0x03;
	put_le(rec + 1, idx, 4);
	rim_ext(rim, rec, 5);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
	assert_memory_equal(m.rim, rim, 64);
	assert_int_equal(pvm_vcpu_boot(fx_hyp, h, idx, pvm_ipa(FX_GUEST_RAM + 0x10040),
				       0x1122334455667788ull),
			 PVM_OK);
	rec[0] = 0x04;
	put_le(rec + 1, idx, 4);
	put_le(rec + 5, FX_GUEST_RAM + 0x10040, 8);
	put_le(rec + 13, 0x1122334455667788ull, 8);
	rim_ext(rim, rec, 21);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
	assert_memory_equal(m.rim, rim, 64);

	/* A failing operation extends nothing. */
	assert_int_equal(pvm_host_donate_guest(fx_hyp, h, pvm_pa(zpa),
					       pvm_ipa(FX_GUEST_RAM + 0x30000), 1, NULL),
			 PVM_E_STATE);
	assert_int_equal(pvm_vcpu_boot(fx_hyp, h, idx, pvm_ipa(FX_GUEST_RAM), 0), PVM_E_STATE);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
	assert_memory_equal(m.rim, rim, 64);
	fx_destroy(h);
}

/* A non-protected VM's RIM is its creation record and nothing else (§1.2). */
static void test_rim_non_protected(void **state)
{
	uint8_t in[13 + 4 + 1 + 8 + 8], rim[64];
	struct pvm_measurement m;
	unsigned h = au_vm(false, 0), idx;

	(void)state;
	memcpy(in, "libpvm RIM v2", 13);
	put_le(in + 13, 36, 4);
	in[17] = 0;
	put_le(in + 18, FX_GUEST_RAM, 8);
	put_le(in + 26, FX_GUEST_RAM_SIZE, 8);
	ossl_sha512(in, sizeof(in), rim);
	assert_int_equal(pvm_vcpu_create(fx_hyp, h, pvm_pa(fx_host_page()), &idx, NULL), PVM_OK);
	assert_int_equal(pvm_vcpu_boot(fx_hyp, h, idx, pvm_ipa(FX_GUEST_RAM), 7), PVM_OK);
	assert_int_equal(pvm_host_share_guest(fx_hyp, h, pvm_pa(au_image(1, 3)),
					      pvm_ipa(FX_GUEST_RAM), 1, PVM_PROT_RWX, NULL),
			 PVM_OK);
	assert_int_equal(pvm_vm_load_measured(fx_hyp, h, pvm_pa(au_image(1, 4)),
					      pvm_ipa(FX_GUEST_RAM + FX_PAGE), 1, PVM_MEASURE_CODE,
					      NULL),
			 PVM_E_PERM);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
	assert_memory_equal(m.rim, rim, 64);
	fx_destroy(h);
}

static void test_rem(void **state)
{
	uint8_t data[4096], in[64 + 4096], rem[64] = {0};
	struct pvm_measurement m;
	unsigned h = au_vm(true, 0), i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13);
	/* 1 byte, then the most one call takes. */
	memcpy(in, rem, 64);
	memcpy(in + 64, data, 1);
	ossl_sha512(in, 65, rem);
	attest_rem_extend(fx_hyp->vms[h], 2, data, 1);
	memcpy(in, rem, 64);
	memcpy(in + 64, data, 4096);
	ossl_sha512(in, sizeof(in), rem);
	attest_rem_extend(fx_hyp->vms[h], 2, data, 4096);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
	assert_memory_equal(m.rem[2], rem, 64);
	for (i = 0; i < 4; i++)
		if (i != 2)
			assert_memory_equal(m.rem[i], (uint8_t[64]){0}, 64);
	fx_destroy(h);
}

/* H(a ‖ b ‖ c ‖ mode ‖ 64 zeroes) (a, b, c 64 bytes; b, c optional). */
static void dice_salt(const uint8_t *a, const uint8_t *b, const uint8_t *c, uint8_t mode,
		      const uint8_t *hidden, uint8_t out[64])
{
	uint8_t in[3 * 64 + 1 + 64];
	size_t n = 0;

	memcpy(in + n, a, 64), n += 64;
	if (b)
		memcpy(in + n, b, 64), n += 64;
	if (c)
		memcpy(in + n, c, 64), n += 64;
	in[n++] = mode;
	if (hidden)
		memcpy(in + n, hidden, 64), n += 64;
	else
		memset(in + n, 0, 64), n += 64;
	ossl_sha512(in, n, out);
}

/* ASYM_KDF by openssl: the seed, the DRBG scalar, the point. */
static void ossl_asym_kdf(const uint8_t ikm[32], uint8_t seed[32], uint8_t priv[32],
			  uint8_t pub[65])
{
	ossl_hkdf(32, ikm, 32, ASYM_SALT_HEX, "Key Pair", seed);
	ossl_drbg_scalar(seed, priv);
	ossl_p256_pub(priv, pub);
}

/* The device and hypervisor layers: root key, CDIs, key, ID, certificate. */
static void test_hyp_layer(void **state)
{
	struct pvm_attest_config cfg;
	struct attest_hyp *st = &fx_hyp->attest;
	uint8_t seed[32], priv[32], pub[65], got_seed[32], got_priv[32], got_pub[65], id[20];
	uint8_t config[64], salt[64], cdi_a[32], cdi_s[32];

	(void)state;
	au_config(&cfg, 0x42);
	/* Root: ASYM_KDF(UDS). Every step against the engine's, then the whole. */
	ossl_asym_kdf(cfg.uds, seed, priv, pub);
	assert_int_equal(dice_asym_seed(cfg.uds, got_seed), PVM_OK);
	assert_memory_equal(got_seed, seed, 32);
	assert_int_equal(pvm_crypto_p256_keypair(seed, got_priv, got_pub), PVM_OK);
	assert_memory_equal(got_priv, priv, 32);
	assert_memory_equal(got_pub, pub, 65);
	assert_int_equal(pvm_attest_root_key(fx_hyp, got_pub), PVM_OK);
	assert_memory_equal(got_pub, pub, 65);

	/* Hypervisor CDIs from the UDS; config input = H(the port's 64-byte value). */
	ossl_sha512(cfg.config_hash, 64, config);
	dice_salt(cfg.code_hash, config, cfg.authority_hash, AU_MODE, NULL, salt);
	ossl_hkdf_bin_salt(32, cfg.uds, 32, salt, 64, "CDI_Attest", cdi_a);
	dice_salt(cfg.authority_hash, NULL, NULL, AU_MODE, NULL, salt);
	ossl_hkdf_bin_salt(32, cfg.uds, 32, salt, 64, "CDI_Seal", cdi_s);
	assert_memory_equal(st->cdi_attest, cdi_a, 32);
	assert_memory_equal(st->cdi_seal, cdi_s, 32);

	/* Its key and ID. */
	ossl_asym_kdf(cdi_a, seed, priv, pub);
	assert_memory_equal(st->priv, priv, 32);
	assert_memory_equal(st->pub, pub, 65);
	ossl_dice_id(pub, id);
	assert_memory_equal(st->id, id, 20);
	assert_true(st->cert_len > 0 && st->cert_len <= PVM_ATTEST_CERT_MAX);
}

/* The VM layer: CDIs from the hypervisor's, its key pair, the sealing key. */
static void test_vm_layer(void **state)
{
	uint8_t desc[19 + 4 + 1 + 8 + 8 + 64], config[64], salt[64], cdi_a[32], cdi_s[32];
	uint8_t seed[32], priv[32], pub[65], key[32], ctx[64], want[32], auth[64];
	struct pvm_measurement m;
	struct pvm_vm *vm;
	unsigned h = au_vm(true, 0x5a), i;
	uint64_t pa = au_image(2, 1);

	(void)state;
	assert_int_equal(pvm_vm_load_measured(fx_hyp, h, pvm_pa(pa), pvm_ipa(FX_GUEST_RAM), 2,
					      PVM_MEASURE_CODE, NULL),
			 PVM_OK);
	assert_int_equal(attest_seal_key(fx_hyp->vms[h], NULL, 0, key), PVM_E_STATE);
	assert_int_equal(pvm_vm_seal(fx_hyp, h), PVM_OK);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
	assert_true(m.sealed);
	vm = fx_hyp->vms[h];

	memcpy(desc, "libpvm VM config v1", 19);
	put_le(desc + 19, 36, 4);
	desc[23] = 1;
	put_le(desc + 24, FX_GUEST_RAM, 8);
	put_le(desc + 32, FX_GUEST_RAM_SIZE, 8);
	memset(desc + 40, 0x5a, 64);
	ossl_sha512(desc, sizeof(desc), config);
	/* Unsigned: no authority, and the RIM is the hidden input (§2.1). */
	memset(auth, 0, 64);
	dice_salt(m.rim, config, auth, 1, m.rim, salt);
	ossl_hkdf_bin_salt(32, fx_hyp->attest.cdi_attest, 32, salt, 64, "CDI_Attest", cdi_a);
	dice_salt(auth, NULL, NULL, 1, m.rim, salt);
	ossl_hkdf_bin_salt(32, fx_hyp->attest.cdi_seal, 32, salt, 64, "CDI_Seal", cdi_s);
	assert_memory_equal(vm->attest.cdi_seal, cdi_s, 32);
	/* CDI_Attest_vm is gone; its key pair shows it was right. */
	ossl_asym_kdf(cdi_a, seed, priv, pub);
	assert_memory_equal(vm->attest.priv, priv, 32);
	assert_memory_equal(vm->attest.pub, pub, 65);
	assert_memory_equal(m.pub, pub, 65);

	/* Sealing keys: KDF(32, CDI_Seal_vm, context, "libpvm sealing key"). */
	for (i = 0; i < sizeof(ctx); i++)
		ctx[i] = (uint8_t)(0xc0 + i);
	ossl_hkdf_bin_salt(32, cdi_s, 32, ctx, 64, "libpvm sealing key", want);
	assert_int_equal(attest_seal_key(vm, ctx, 64, key), PVM_OK);
	assert_memory_equal(key, want, 32);
	ossl_hkdf_bin_salt(32, cdi_s, 32, ctx, 5, "libpvm sealing key", want);
	assert_int_equal(attest_seal_key(vm, ctx, 5, key), PVM_OK);
	assert_memory_equal(key, want, 32);
	/* An empty context is HKDF's default salt: 64 zero bytes for SHA-512. */
	ossl_hkdf_bin_salt(32, cdi_s, 32, (uint8_t[64]){0}, 64, "libpvm sealing key", want);
	assert_int_equal(attest_seal_key(vm, NULL, 0, key), PVM_OK);
	assert_memory_equal(key, want, 32);
	assert_int_equal(attest_seal_key(vm, ctx, 65, key), PVM_E_INVAL);
	assert_int_equal(attest_seal_key(vm, NULL, 1, key), PVM_E_INVAL);
	assert_int_equal(attest_seal_key(NULL, ctx, 1, key), PVM_E_INVAL);
	fx_destroy(h);
}

/*
 * A signed image: the authority's signature over "libpvm image signature
 * v1" ‖ RIM verifies, authority = H(its key), hidden = zeroes (§2.1).
 */
static void test_vm_signed(void **state)
{
	uint8_t desc[19 + 4 + 1 + 8 + 8 + 64], config[64], salt[64], cdi_a[32], cdi_s[32];
	uint8_t seed[32], priv[32], pub[65], auth[64], msg[25 + 64], digest[32];
	struct pvm_vm_authority va;
	struct pvm_measurement m;
	unsigned h = au_vm(true, 0);
	struct pvm_vm *vm;

	(void)state;
	assert_int_equal(pvm_vm_load_measured(fx_hyp, h, pvm_pa(au_image(1, 5)),
					      pvm_ipa(FX_GUEST_RAM), 1, PVM_MEASURE_CODE, NULL),
			 PVM_OK);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
	/* The authority: a key of its own; its signature checked by openssl too. */
	memset(seed, 0x33, 32);
	ossl_asym_kdf(seed, seed, priv, va.pub);
	memcpy(msg, "libpvm image signature v1", 25);
	memcpy(msg + 25, m.rim, 64);
	pvm_crypto_sha256(msg, sizeof(msg), digest);
	assert_int_equal(pvm_crypto_p256_sign(priv, digest, va.sig), PVM_OK);
	assert_true(ossl_verify(va.pub, msg, sizeof(msg), va.sig));
	assert_int_equal(pvm_vm_seal_signed(fx_hyp, h, &va), PVM_OK);
	assert_int_equal(pvm_vm_measurement(fx_hyp, h, &m), PVM_OK);
	vm = fx_hyp->vms[h];

	memcpy(desc, "libpvm VM config v1", 19);
	put_le(desc + 19, 36, 4);
	desc[23] = 1;
	put_le(desc + 24, FX_GUEST_RAM, 8);
	put_le(desc + 32, FX_GUEST_RAM_SIZE, 8);
	memset(desc + 40, 0, 64);
	ossl_sha512(desc, sizeof(desc), config);
	ossl_sha512(va.pub, 65, auth);
	assert_memory_equal(vm->attest.authority, auth, 64);
	dice_salt(m.rim, config, auth, 1, NULL, salt);
	ossl_hkdf_bin_salt(32, fx_hyp->attest.cdi_attest, 32, salt, 64, "CDI_Attest", cdi_a);
	dice_salt(auth, NULL, NULL, 1, NULL, salt);
	ossl_hkdf_bin_salt(32, fx_hyp->attest.cdi_seal, 32, salt, 64, "CDI_Seal", cdi_s);
	assert_memory_equal(vm->attest.cdi_seal, cdi_s, 32);
	ossl_asym_kdf(cdi_a, seed, priv, pub);
	assert_memory_equal(m.pub, pub, 65);
	fx_destroy(h);
}

/* IDs, and their hex form. */
static void test_id(void **state)
{
	uint8_t id[20], want[20];
	char hex[41], got[40];

	(void)state;
	assert_int_equal(dice_id(fx_hyp->attest.root_pub, id), PVM_OK);
	ossl_dice_id(fx_hyp->attest.root_pub, want);
	assert_memory_equal(id, want, 20);
	dice_hex_id(want, got);
	au_hex(want, 20, hex);
	assert_memory_equal(got, hex, 40);
}

/*
 * The root key of an all-zero UDS (pvm-run's default) and its ID, pinned.
 * The point comes from the steps of ossl_asym_kdf() run by hand with the
 * openssl CLI (kdf for the seed, mac HMAC for the DRBG, ec for the point).
 * The ID: openssl kdf -keylen 20 -kdfopt digest:SHA512 -kdfopt hexkey:<ROOT0_PUB>
 *   -kdfopt hexsalt:<ID_SALT_HEX> -kdfopt info:ID HKDF
 * gives bba031664efc4817627f5c4cdb23d0d039da8deb; its top bit cleared by
 * hand (0xbb & 0x7f = 0x3b) gives the ID below.
 */
#define ROOT0_PUB                                                                                  \
	"042b0e5df061b99b0da6d7b1ea15171388ca92babe2c82ba8aa961b06aa8345f32"                       \
	"e33c1d25b378af176a617aa618434b36a8dbbd5d73063fdaf9a9d457ac13f74a"
#define ROOT0_ID "3ba031664efc4817627f5c4cdb23d0d039da8deb"

static void test_id_zero_uds(void **state)
{
	uint8_t uds[32] = {0}, priv[32], pub[65], want_pub[65], id[20];
	char hex[41];

	(void)state;
	assert_int_equal(au_unhex(ROOT0_PUB, want_pub, 65), 65);
	assert_int_equal(dice_asym_kdf(uds, priv, pub), PVM_OK);
	assert_memory_equal(pub, want_pub, 65);
	assert_int_equal(dice_id(pub, id), PVM_OK);
	dice_hex_id(id, hex);
	hex[40] = '\0';
	assert_string_equal(hex, ROOT0_ID);
	assert_true(id[0] < 0x80);
}

static void small_payload(struct cbor *c, const void *arg)
{
	struct cbor_map m;

	(void)arg;
	cbor_map(c, &m, 1);
	cbor_key(c, &m, 1);
	cbor_uint(c, 2);
}

/* ES256 signatures verify with openssl over a Sig_structure built here by hand. */
static void test_signature(void **state)
{
	static const uint8_t want_head[] = {0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26, 0xa0,
					    0x43, 0xa1, 0x01, 0x02, 0x58, 0x40};
	static const uint8_t sig_struct[] = {0x84, 0x6a, 'S',  'i',  'g',  'n',	 'a',
					     't',  'u',	 'r',  'e',  '1',  0x43, 0xa1,
					     0x01, 0x26, 0x40, 0x43, 0xa1, 0x01, 0x02};
	uint8_t buf[256], priv[32], pub[65], seed[32] = {7}, sig[64], bad[sizeof(sig_struct)];
	struct cbor c;
	size_t len;

	(void)state;
	assert_int_equal(pvm_crypto_p256_keypair(seed, priv, pub), PVM_OK);
	cbor_init(&c, buf, sizeof(buf));
	cose_sign1(&c, true, small_payload, NULL, priv, NULL, sig);
	assert_int_equal(cbor_status(&c, &len), PVM_OK);
	assert_int_equal(len, sizeof(want_head) + 64);
	assert_memory_equal(buf, want_head, sizeof(want_head));
	assert_memory_equal(buf + sizeof(want_head), sig, 64);
	assert_true(ossl_verify(pub, sig_struct, sizeof(sig_struct), sig));
	/* One flipped payload bit: openssl must refuse (the check can fail). */
	memcpy(bad, sig_struct, sizeof(bad));
	bad[sizeof(bad) - 1] ^= 1;
	assert_false(ossl_verify(pub, bad, sizeof(bad), sig));
	/* Untagged, with a signature given: the same bytes but the tag. */
	cbor_init(&c, buf, sizeof(buf));
	cose_sign1(&c, false, small_payload, NULL, NULL, sig, NULL);
	assert_int_equal(cbor_status(&c, &len), PVM_OK);
	assert_int_equal(len, sizeof(want_head) - 1 + 64);
	assert_memory_equal(buf, want_head + 1, sizeof(want_head) - 1);
	/* No room: nothing signed, the size needed reported, nothing written past the end. */
	memset(buf, 0xee, sizeof(buf));
	cbor_init(&c, buf, 20);
	cose_sign1(&c, true, small_payload, NULL, priv, NULL, NULL);
	assert_int_equal(cbor_status(&c, &len), PVM_E_RANGE);
	assert_int_equal(len, sizeof(want_head) + 64);
	assert_int_equal(buf[20], 0xee);
	au_cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_salts),
		cmocka_unit_test_setup_teardown(test_rim, au_setup, au_teardown),
		cmocka_unit_test_setup_teardown(test_rim_non_protected, au_setup, au_teardown),
		cmocka_unit_test_setup_teardown(test_vm_signed, au_setup, au_teardown),
		cmocka_unit_test_setup_teardown(test_rem, au_setup, au_teardown),
		cmocka_unit_test_setup_teardown(test_hyp_layer, au_setup, au_teardown),
		cmocka_unit_test_setup_teardown(test_vm_layer, au_setup, au_teardown),
		cmocka_unit_test_setup_teardown(test_id, au_setup, au_teardown),
		cmocka_unit_test(test_id_zero_uds),
		cmocka_unit_test(test_signature),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
