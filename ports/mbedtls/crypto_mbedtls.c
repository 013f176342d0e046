/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libpvm's cryptographic engine (libpvm/crypto.h) on mbedtls: SHA-2,
 * HKDF-SHA512, HMAC_DRBG and ECDSA P-256 are all mbedtls's; this file only
 * adapts calling conventions and wipes what it copies. Every port links it
 * (the EL2 port with mbedtls built for the target).
 */
#include <libpvm/crypto.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/hmac_drbg.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>

#include <string.h>

_Static_assert(sizeof(mbedtls_sha512_context) <= sizeof(struct pvm_sha512_ctx),
	       "the SHA-512 state fits in pvm_sha512_ctx");

static mbedtls_sha512_context *sha(struct pvm_sha512_ctx *ctx)
{
	return (mbedtls_sha512_context *)(void *)ctx->opaque;
}

void pvm_crypto_sha512_init(struct pvm_sha512_ctx *ctx)
{
	mbedtls_sha512_init(sha(ctx));
	/* Cannot fail for a valid context and is224 = 0 (SHA-512). */
	(void)mbedtls_sha512_starts_ret(sha(ctx), 0);
}

void pvm_crypto_sha512_update(struct pvm_sha512_ctx *ctx, const void *data, size_t len)
{
	if (len)
		(void)mbedtls_sha512_update_ret(sha(ctx), data, len);
}

void pvm_crypto_sha512_final(struct pvm_sha512_ctx *ctx, uint8_t out[PVM_SHA512_SIZE])
{
	(void)mbedtls_sha512_finish_ret(sha(ctx), out);
	mbedtls_sha512_free(sha(ctx));
	mbedtls_platform_zeroize(ctx, sizeof(*ctx));
}

void pvm_crypto_sha256(const void *data, size_t len, uint8_t out[PVM_SHA256_SIZE])
{
	(void)mbedtls_sha256_ret(data, len, out, 0);
}

pvm_status_t pvm_crypto_hkdf_sha512(const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
				    size_t ikm_len, const uint8_t *info, size_t info_len,
				    uint8_t *out, size_t out_len)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA512);

	if (!out || !out_len || out_len > 255u * PVM_SHA512_SIZE || (!ikm && ikm_len) ||
	    (!salt && salt_len) || (!info && info_len))
		return PVM_E_INVAL;
	if (!md || mbedtls_hkdf(md, salt, salt_len, ikm, ikm_len, info, info_len, out, out_len)) {
		memset(out, 0, out_len);
		return PVM_E_STATE;
	}
	return PVM_OK;
}

/*
 * One P-256 group for every call, loaded once with the comb table of its
 * base point precomputed: loading it and computing that table per call
 * would cost more than the scalar multiplication itself. After set-up
 * nothing writes the group (mbedtls only reads grp->T once it exists), so
 * callers on any CPU share it without a lock. The first caller loads it;
 * callers racing with it wait for it (state: 0 none, 1 loading, 2 ready).
 */
static mbedtls_ecp_group p256;
static int p256_state;

static int p256_load(void)
{
	static const uint8_t blind_seed[32] = {'p', 'v', 'm'};
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_hmac_drbg_context blind;
	mbedtls_ecp_point q;
	mbedtls_mpi one;
	int err;

	mbedtls_ecp_group_init(&p256);
	mbedtls_hmac_drbg_init(&blind);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&one);
	/* A multiplication of the base point leaves its table in the group. */
	err = !md || mbedtls_ecp_group_load(&p256, MBEDTLS_ECP_DP_SECP256R1) ||
	      mbedtls_hmac_drbg_seed_buf(&blind, md, blind_seed, sizeof(blind_seed)) ||
	      mbedtls_mpi_lset(&one, 1) ||
	      mbedtls_ecp_mul(&p256, &q, &one, &p256.G, mbedtls_hmac_drbg_random, &blind) ||
	      !p256.T;
	mbedtls_mpi_free(&one);
	mbedtls_ecp_point_free(&q);
	mbedtls_hmac_drbg_free(&blind);
	if (err)
		mbedtls_ecp_group_free(&p256);
	return err;
}

/* The shared group, or NULL if it cannot be loaded. */
static mbedtls_ecp_group *p256_group(void)
{
	int state = __atomic_load_n(&p256_state, __ATOMIC_ACQUIRE), none = 0;

	if (state == 2)
		return &p256;
	if (__atomic_compare_exchange_n(&p256_state, &none, 1, false, __ATOMIC_ACQUIRE,
					__ATOMIC_ACQUIRE)) {
		state = p256_load() ? 0 : 2;
		__atomic_store_n(&p256_state, state, __ATOMIC_RELEASE);
		return state == 2 ? &p256 : NULL;
	}
	while ((state = __atomic_load_n(&p256_state, __ATOMIC_ACQUIRE)) == 1)
		;
	return state == 2 ? &p256 : NULL;
}

pvm_status_t pvm_crypto_p256_keypair(const uint8_t seed[32], uint8_t priv[PVM_P256_PRIV_SIZE],
				     uint8_t pub[PVM_P256_PUB_SIZE])
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_ecp_group *grp = p256_group();
	mbedtls_hmac_drbg_context drbg;
	mbedtls_ecp_point q;
	mbedtls_mpi d;
	uint8_t cand[PVM_P256_PRIV_SIZE];
	size_t olen = 0;
	int err, tries;

	mbedtls_hmac_drbg_init(&drbg);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&d);
	err = !md || !grp || mbedtls_hmac_drbg_seed_buf(&drbg, md, seed, 32);
	/*
	 * The first DRBG output in [1, n-1] is the scalar (see crypto.h). For
	 * P-256 an output is out of range with probability about 2^-32, so
	 * the loop is bounded only to keep a broken engine from spinning.
	 */
	for (tries = 0; !err; tries++) {
		if (tries == 64 || mbedtls_hmac_drbg_random(&drbg, cand, sizeof(cand)) ||
		    mbedtls_mpi_read_binary(&d, cand, sizeof(cand))) {
			err = 1;
			break;
		}
		if (mbedtls_mpi_cmp_int(&d, 1) >= 0 && mbedtls_mpi_cmp_mpi(&d, &grp->N) < 0)
			break;
	}
	/* Q = d·G; the DRBG only blinds the multiplication, it does not change Q. */
	if (!err)
		err = mbedtls_ecp_mul(grp, &q, &d, &grp->G, mbedtls_hmac_drbg_random, &drbg) ||
		      mbedtls_ecp_point_write_binary(grp, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen,
						     pub, PVM_P256_PUB_SIZE) ||
		      olen != PVM_P256_PUB_SIZE ||
		      mbedtls_mpi_write_binary(&d, priv, PVM_P256_PRIV_SIZE);
	if (err) {
		memset(priv, 0, PVM_P256_PRIV_SIZE);
		memset(pub, 0, PVM_P256_PUB_SIZE);
	}
	mbedtls_platform_zeroize(cand, sizeof(cand));
	mbedtls_mpi_free(&d);
	mbedtls_ecp_point_free(&q);
	mbedtls_hmac_drbg_free(&drbg);
	return err ? PVM_E_STATE : PVM_OK;
}

/*
 * (r, s) and (r, n - s) both verify; docs/attestation.md §3 makes the
 * signature unique by keeping the one with s <= n/2. Returns non-zero on an
 * engine failure.
 */
static int low_s(const mbedtls_ecp_group *grp, mbedtls_mpi *s)
{
	mbedtls_mpi half;
	int err;

	mbedtls_mpi_init(&half);
	err = mbedtls_mpi_copy(&half, &grp->N) || mbedtls_mpi_shift_r(&half, 1);
	if (!err && mbedtls_mpi_cmp_mpi(s, &half) > 0)
		err = mbedtls_mpi_sub_mpi(s, &grp->N, s);
	mbedtls_mpi_free(&half);
	return err;
}

pvm_status_t pvm_crypto_p256_sign(const uint8_t priv[PVM_P256_PRIV_SIZE],
				  const uint8_t digest[PVM_SHA256_SIZE],
				  uint8_t sig[PVM_P256_SIG_SIZE])
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_ecp_group *grp = p256_group();
	mbedtls_hmac_drbg_context blind;
	mbedtls_mpi d, r, s;
	uint8_t seed[PVM_P256_PRIV_SIZE + PVM_SHA256_SIZE];
	pvm_status_t ret = PVM_OK;

	/*
	 * mbedtls wants an RNG to blind the scalar multiplication against side
	 * channels. It does not change the signature; a DRBG seeded from the
	 * key and the digest keeps the engine free of any entropy source.
	 */
	memcpy(seed, priv, PVM_P256_PRIV_SIZE);
	memcpy(seed + PVM_P256_PRIV_SIZE, digest, PVM_SHA256_SIZE);
	mbedtls_hmac_drbg_init(&blind);
	mbedtls_mpi_init(&d);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (!md || !grp || mbedtls_hmac_drbg_seed_buf(&blind, md, seed, sizeof(seed)) ||
	    mbedtls_mpi_read_binary(&d, priv, PVM_P256_PRIV_SIZE))
		ret = PVM_E_STATE;
	else if (mbedtls_ecp_check_privkey(grp, &d))
		ret = PVM_E_INVAL;
	/* RFC 6979: k from the key and the digest; no randomness involved. */
	else if (mbedtls_ecdsa_sign_det_ext(grp, &r, &s, &d, digest, PVM_SHA256_SIZE,
					    MBEDTLS_MD_SHA256, mbedtls_hmac_drbg_random, &blind) ||
		 low_s(grp, &s) || mbedtls_mpi_write_binary(&r, sig, 32) ||
		 mbedtls_mpi_write_binary(&s, sig + 32, 32))
		ret = PVM_E_STATE;
	if (ret)
		memset(sig, 0, PVM_P256_SIG_SIZE);
	mbedtls_platform_zeroize(seed, sizeof(seed));
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&d);
	mbedtls_hmac_drbg_free(&blind);
	return ret;
}

pvm_status_t pvm_crypto_p256_verify(const uint8_t pub[PVM_P256_PUB_SIZE],
				    const uint8_t digest[PVM_SHA256_SIZE],
				    const uint8_t sig[PVM_P256_SIG_SIZE])
{
	mbedtls_ecp_group *grp = p256_group();
	mbedtls_mpi r, s, half;
	mbedtls_ecp_point q;
	pvm_status_t ret = PVM_OK;

	if (!grp)
		return PVM_E_STATE;
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	mbedtls_mpi_init(&half);
	/* Only the uncompressed form, and a point on the curve (not the identity). */
	if (pub[0] != 0x04 || mbedtls_ecp_point_read_binary(grp, &q, pub, PVM_P256_PUB_SIZE) ||
	    mbedtls_ecp_check_pubkey(grp, &q))
		ret = PVM_E_INVAL;
	else if (mbedtls_mpi_read_binary(&r, sig, 32) ||
		 mbedtls_mpi_read_binary(&s, sig + 32, 32) || mbedtls_mpi_copy(&half, &grp->N) ||
		 mbedtls_mpi_shift_r(&half, 1))
		ret = PVM_E_STATE;
	/* The high-S twin of a valid signature is refused (docs/attestation.md §3). */
	else if (mbedtls_mpi_cmp_mpi(&s, &half) > 0 ||
		 mbedtls_ecdsa_verify(grp, digest, PVM_SHA256_SIZE, &q, &r, &s))
		ret = PVM_E_PERM;
	mbedtls_mpi_free(&half);
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&r);
	mbedtls_ecp_point_free(&q);
	return ret;
}
