/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file crypto.h
 * @brief The cryptographic engine the core calls: hashes, HKDF and ECDSA
 *        P-256, bound at link time like the port hooks.
 *
 * libpvm never implements cryptography itself. This interface is what an
 * engine must provide; libpvm ships one on mbedtls (`crypto/mbedtls`, library
 * `pvm-crypto-mbedtls`), which every port links. A vendor with a hardware
 * engine provides these functions instead.
 *
 * Conventions: every function may be called from any CPU at the same time
 * with different contexts; none keeps global state that callers can see.
 * Functions that can fail return a ::pvm_status_t (::PVM_E_INVAL for bad
 * lengths or a key that is not valid, ::PVM_E_STATE for an engine failure)
 * and leave their outputs zeroed on failure. Secrets the engine copies
 * (keys, DRBG state) are wiped before it returns.
 */
#ifndef LIBPVM_CRYPTO_H
#define LIBPVM_CRYPTO_H

#include <libpvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PVM_SHA256_SIZE	   32u /**< SHA-256 digest bytes. */
#define PVM_SHA512_SIZE	   64u /**< SHA-512 digest bytes. */
#define PVM_P256_PRIV_SIZE 32u /**< P-256 private scalar, big-endian. */
#define PVM_P256_PUB_SIZE  65u /**< P-256 public point, uncompressed: 0x04 ‖ X ‖ Y. */
#define PVM_P256_SIG_SIZE  64u /**< ECDSA P-256 signature: r ‖ s, big-endian, 32 bytes each. */

/**
 * @brief State of an incremental SHA-512 (opaque; the engine's own state
 *        lives in it, so it needs no allocation).
 */
struct pvm_sha512_ctx {
	uint64_t opaque[64]; /**< For the engine. */
};

/**
 * @brief Start a SHA-512 computation.
 * @param ctx The state to initialise.
 */
void pvm_crypto_sha512_init(struct pvm_sha512_ctx *ctx);

/**
 * @brief Hash more data.
 * @param ctx  A state from pvm_crypto_sha512_init().
 * @param data The bytes (may be NULL when @p len is 0).
 * @param len  Their number.
 */
void pvm_crypto_sha512_update(struct pvm_sha512_ctx *ctx, const void *data, size_t len);

/**
 * @brief Finish: write the digest and wipe the state.
 * @param ctx The state.
 * @param out The 64-byte digest.
 */
void pvm_crypto_sha512_final(struct pvm_sha512_ctx *ctx, uint8_t out[PVM_SHA512_SIZE]);

/**
 * @brief SHA-256 of a buffer (what ES256 signs).
 * @param data The bytes.
 * @param len  Their number.
 * @param out  The 32-byte digest.
 */
void pvm_crypto_sha256(const void *data, size_t len, uint8_t out[PVM_SHA256_SIZE]);

/**
 * @brief HKDF with HMAC-SHA512 (RFC 5869): extract, then expand.
 * @param salt    Salt (may be NULL when @p salt_len is 0: a string of zeroes).
 * @param salt_len Its length.
 * @param ikm     Input key material.
 * @param ikm_len Its length.
 * @param info    Context (may be NULL when @p info_len is 0).
 * @param info_len Its length.
 * @param out     Output key material.
 * @param out_len Its length, 1 to 255 × 64.
 * @return ::PVM_OK; ::PVM_E_INVAL for a bad length or a NULL buffer.
 */
pvm_status_t pvm_crypto_hkdf_sha512(const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
				    size_t ikm_len, const uint8_t *info, size_t info_len,
				    uint8_t *out, size_t out_len);

/**
 * @brief Derive an ECDSA P-256 key pair deterministically from a seed.
 * @param seed 32 bytes of key material (an Open Profile for DICE ASYM_KDF output).
 * @param priv Out: the private scalar.
 * @param pub  Out: the public point, uncompressed.
 * @return ::PVM_OK; ::PVM_E_STATE if the engine fails.
 *
 * The method (Open Profile for DICE, "ECDSA", following RFC 6979 §3.3):
 * an HMAC_DRBG with SHA-256 (NIST SP 800-90A) is instantiated with the
 * seed as entropy input, no nonce and no personalization string; the
 * private scalar is the first 32-byte output, read as a big-endian integer,
 * that lies in [1, n-1], where n is the order of P-256 (outputs outside are
 * discarded and the next one is generated). Any engine implementing this
 * gives the same key for the same seed.
 */
pvm_status_t pvm_crypto_p256_keypair(const uint8_t seed[32], uint8_t priv[PVM_P256_PRIV_SIZE],
				     uint8_t pub[PVM_P256_PUB_SIZE]);

/**
 * @brief Sign a SHA-256 digest with ECDSA P-256, deterministically (RFC 6979),
 *        in low-S form.
 * @param priv   The private scalar.
 * @param digest The 32-byte digest of the message.
 * @param sig    Out: r ‖ s, 32-byte big-endian each.
 * @return ::PVM_OK; ::PVM_E_INVAL if @p priv is not a valid scalar;
 *         ::PVM_E_STATE if the engine fails.
 *
 * k is RFC 6979's (HMAC-SHA256); then s is replaced by n - s when s > n/2,
 * so that exactly one signature exists per key and digest
 * (docs/attestation.md §3).
 */
pvm_status_t pvm_crypto_p256_sign(const uint8_t priv[PVM_P256_PRIV_SIZE],
				  const uint8_t digest[PVM_SHA256_SIZE],
				  uint8_t sig[PVM_P256_SIG_SIZE]);

/**
 * @brief Verify an ECDSA P-256 signature over a SHA-256 digest.
 * @param pub    The signer's public key, uncompressed (0x04 ‖ x ‖ y).
 * @param digest The 32-byte digest of the message.
 * @param sig    r ‖ s, 32-byte big-endian each.
 * @return ::PVM_OK if valid and low-S; ::PVM_E_PERM if not (including the
 *         high-S twin of a valid signature); ::PVM_E_INVAL if @p pub is not
 *         an uncompressed point on the curve; ::PVM_E_STATE if the engine
 *         fails.
 *
 * What the core checks an image's signature with (pvm_vm_seal_signed()).
 * Takes about a millisecond; call it with no lock held.
 */
pvm_status_t pvm_crypto_p256_verify(const uint8_t pub[PVM_P256_PUB_SIZE],
				    const uint8_t digest[PVM_SHA256_SIZE],
				    const uint8_t sig[PVM_P256_SIG_SIZE]);

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_CRYPTO_H */
