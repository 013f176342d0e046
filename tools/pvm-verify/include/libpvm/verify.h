/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file verify.h
 * @brief Host-side verifier of libpvm attestation evidence
 *        (docs/attestation.md): the certificate chain, the token, and the
 *        claims they carry.
 *
 * The evidence is `[hypervisor certificate, VM certificate, token]`, three
 * COSE_Sign1 (ES256) objects in one CBOR array. pvm_verify_evidence() checks
 * it against the root public key the relying party trusts and the challenge
 * it sent, in the order of the specification's §6: each signature with the
 * key of the layer below, the issuer and subject IDs, then the token's
 * binding to the chain (its key, its RIM) and to the challenge. Every
 * structure is checked to be exactly what the specification says:
 *
 * - CBOR: well-formed, deterministic (shortest heads, definite lengths, map
 *   keys sorted and never repeated), nothing after an item.
 * - COSE_Sign1: protected header exactly `a1 01 26`, unprotected `{}`, a
 *   64-byte signature `r ‖ s` that verifies with ES256 and is low-S
 *   (`s` ≤ n/2; its twin `n − s` is refused, §3); certificates untagged,
 *   the token tagged 18.
 * - Each certificate (§4) has exactly these ten claims, each once, and no
 *   other label: iss and sub, text of exactly 40 characters of `0-9a-f`
 *   whose first is `0`-`7`, iss the issuer's ID and sub ID(subjectPublicKey);
 *   codeHash, configurationHash and authorityHash, 64 bytes each;
 *   configurationDescriptor, 64 bytes in the hypervisor certificate and 104
 *   in the VM certificate (beginning "libpvm VM config v1", its protected
 *   byte 0 or 1), with configurationHash = SHA-512(configurationDescriptor);
 *   mode, 1 byte of 0 to 3, and in the VM certificate 1 if the descriptor
 *   says protected and 2 if not; subjectPublicKey, exactly the 77-byte
 *   COSE_Key {1: 2, 3: -7, -1: 1, -2: x, -3: y} of a point on P-256;
 *   keyUsage, the 1 byte 0x20; profileName, the text "libpvm.dice.v1".
 * - The token (§5) has exactly its seven claims: a challenge of 1 to 64
 *   bytes, equal to the one sent; the profile and hash algorithm texts; RPV
 *   and RIM of 64 bytes, equal to the VM descriptor's RPV and the VM
 *   certificate's codeHash; 4 REMs of 64 bytes; the VM certificate's key.
 *
 * The verifier allocates only while it runs (libcbor's trees, OpenSSL's
 * objects) and keeps no state: it may be called from several threads at
 * once. It is a host-side library (libcbor and OpenSSL 3), not part of the
 * hypervisor; the hypervisor produces evidence (libpvm/attest.h).
 */
#ifndef LIBPVM_VERIFY_H
#define LIBPVM_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Largest evidence accepted, in bytes (bigger input is rejected unread). */
#define PVM_VERIFY_EVIDENCE_MAX (16u * 1024u)
/** @brief Longest challenge (and shortest: 1). */
#define PVM_VERIFY_CHALLENGE_MAX 64u
/** @brief SHA-512 digests: RIM, REMs, the certificates' hashes. */
#define PVM_VERIFY_HASH_SIZE 64u
/** @brief Runtime measurement registers in a token. */
#define PVM_VERIFY_REM_COUNT 4u
/** @brief An uncompressed P-256 point: 0x04 ‖ X ‖ Y. */
#define PVM_VERIFY_PUB_SIZE 65u
/** @brief A DICE ID (20 bytes) as lower-case hex, with its terminator. */
#define PVM_VERIFY_ID_HEX_SIZE 41u
/** @brief The VM configuration descriptor: "libpvm VM config v1" ‖ u32 ‖ u8 ‖ u64 ‖ u64 ‖ RPV. */
#define PVM_VERIFY_VM_CONFIG_SIZE 104u

/**
 * @brief Why evidence was rejected. Zero is success; every error is
 *        negative and has exactly one meaning.
 *
 * Codes that name a check of the chain (signatures, issuer, subject) name
 * the object too; the others say which object failed in
 * pvm_claims::fail_part.
 */
enum pvm_verify_status {
	PVM_VERIFY_OK = 0,		  /**< The evidence is genuine; the claims are filled. */
	PVM_VERIFY_E_INVAL = -1,	  /**< NULL argument or a challenge not 1 to 64 bytes. */
	PVM_VERIFY_E_ROOT_KEY = -2,	  /**< The root key given is not a P-256 point. */
	PVM_VERIFY_E_TOO_BIG = -3,	  /**< More than ::PVM_VERIFY_EVIDENCE_MAX bytes. */
	PVM_VERIFY_E_CBOR = -4,		  /**< Not well-formed CBOR (truncated, reserved values). */
	PVM_VERIFY_E_NONCANONICAL = -5,	  /**< Not deterministic CBOR (indefinite length,
						 long form, map keys unsorted or repeated). */
	PVM_VERIFY_E_TRAILING = -6,	  /**< Bytes after the item (evidence or payload). */
	PVM_VERIFY_E_STRUCTURE = -7,	  /**< The evidence is not an array of three (or is
						 nested too deep to be evidence). */
	PVM_VERIFY_E_COSE = -8,		  /**< Not a COSE_Sign1: [bstr, map, bstr, bstr]. */
	PVM_VERIFY_E_PROTECTED = -9,	  /**< Protected header not exactly {1: -7} (ES256). */
	PVM_VERIFY_E_UNPROTECTED = -10,	  /**< Unprotected header not an empty map. */
	PVM_VERIFY_E_TOKEN_TAG = -11,	  /**< The token is not tagged 18 (COSE_Sign1). */
	PVM_VERIFY_E_CERT_TAG = -12,	  /**< A certificate is tagged (they must not be). */
	PVM_VERIFY_E_SIG_HYP = -13,	  /**< Hypervisor certificate not signed by the root key. */
	PVM_VERIFY_E_SIG_VM = -14,	  /**< VM certificate not signed by the hypervisor key. */
	PVM_VERIFY_E_SIG_TOKEN = -15,	  /**< Token not signed by the VM key. */
	PVM_VERIFY_E_PAYLOAD = -16,	  /**< A payload is not a map of claims. */
	PVM_VERIFY_E_CLAIM_UNKNOWN = -17, /**< A claim label the object may not have. */
	PVM_VERIFY_E_CLAIM_MISSING = -18, /**< A claim is absent (none is optional). */
	PVM_VERIFY_E_CLAIM_TYPE = -19,	  /**< A claim of the wrong CBOR type. */
	PVM_VERIFY_E_SIZE = -20,	  /**< A value of the wrong size (hash not 64 bytes,
						 mode or keyUsage not 1 byte, signature not 64,
						 challenge not 1 to 64, REMs not 4). */
	PVM_VERIFY_E_KEY = -21,		  /**< A COSE_Key not exactly the 77 bytes of
						 EC2/ES256/P-256 with 32-byte x and y. */
	PVM_VERIFY_E_KEY_POINT = -22,	  /**< A key's point is not on the curve. */
	PVM_VERIFY_E_ISS_HYP = -23,	  /**< Hypervisor certificate's iss ≠ ID(root key). */
	PVM_VERIFY_E_SUB_HYP = -24,	  /**< Hypervisor certificate's sub ≠ ID(its key). */
	PVM_VERIFY_E_ISS_VM = -25,	  /**< VM certificate's iss ≠ hypervisor's sub. */
	PVM_VERIFY_E_SUB_VM = -26,	  /**< VM certificate's sub ≠ ID(its key). */
	PVM_VERIFY_E_KEY_USAGE = -27,	  /**< keyUsage is not keyCertSign (0x20). */
	PVM_VERIFY_E_MODE = -28,	  /**< A DICE mode above 3, or a VM mode that is not
						 1 for a protected VM or 2 for another. */
	PVM_VERIFY_E_CONFIG = -29,	  /**< configurationDescriptor not 64 bytes (hypervisor)
						 or 104 bytes of the specified layout (VM), or
						 configurationHash ≠ H(configurationDescriptor). */
	PVM_VERIFY_E_PROFILE = -30,	  /**< Wrong profile (token) or profileName (cert). */
	PVM_VERIFY_E_HASH_ALG = -31,	  /**< The token's hash algorithm is not "sha-512". */
	PVM_VERIFY_E_TOKEN_KEY = -32,	  /**< Token's public key ≠ VM certificate's key. */
	PVM_VERIFY_E_CHALLENGE = -33,	  /**< Token's challenge ≠ the one sent. */
	PVM_VERIFY_E_RIM = -34,		  /**< Token's RIM ≠ VM certificate's codeHash. */
	PVM_VERIFY_E_RPV = -35,		  /**< Token's RPV ≠ the VM configuration's RPV. */
	PVM_VERIFY_E_INTERNAL = -36,	  /**< Out of memory, or OpenSSL failed. */
	PVM_VERIFY_E_ID = -37,		  /**< A certificate's iss or sub is not 40 lower-case
						 hex characters with the first 0-7. */
	PVM_VERIFY_E_HIGH_S = -38,	  /**< A signature that verifies but has s > n/2: the
						 high-S twin of the one evidence may carry. */
};

/** @brief Which object of the evidence a failure was found in. */
enum pvm_verify_part {
	PVM_VERIFY_PART_NONE = 0,     /**< Success, or the arguments. */
	PVM_VERIFY_PART_EVIDENCE = 1, /**< The outer array. */
	PVM_VERIFY_PART_HYP_CERT = 2, /**< The hypervisor certificate. */
	PVM_VERIFY_PART_VM_CERT = 3,  /**< The VM certificate. */
	PVM_VERIFY_PART_TOKEN = 4,    /**< The token. */
};

/** @brief What verified evidence says (docs/attestation.md §4 and §5). */
struct pvm_claims {
	/* The token. */
	uint8_t challenge[PVM_VERIFY_CHALLENGE_MAX]; /**< The challenge (echoed). */
	size_t challenge_len;			     /**< Its length, 1 to 64. */
	char profile[32]; /**< The token's profile, "tag:libpvm.dev,2026:pvm#1.0". */
	char hash_alg[8]; /**< The measurements' hash algorithm, "sha-512". */
	uint8_t rim[PVM_VERIFY_HASH_SIZE];			 /**< Initial measurement. */
	uint8_t rem[PVM_VERIFY_REM_COUNT][PVM_VERIFY_HASH_SIZE]; /**< Runtime measurements. */
	uint8_t rpv[PVM_VERIFY_HASH_SIZE];			 /**< Personalization value. */
	uint8_t vm_pub[PVM_VERIFY_PUB_SIZE];			 /**< The VM's attestation key. */

	/* The hypervisor certificate. */
	uint8_t hyp_code_hash[PVM_VERIFY_HASH_SIZE];	  /**< The hypervisor image's hash. */
	uint8_t hyp_config_hash[PVM_VERIFY_HASH_SIZE];	  /**< H(its configuration). */
	uint8_t hyp_authority_hash[PVM_VERIFY_HASH_SIZE]; /**< Who signed it. */
	uint8_t hyp_mode;				  /**< DICE mode, 0 to 3. */
	uint8_t hyp_pub[PVM_VERIFY_PUB_SIZE];		  /**< The hypervisor layer's key. */

	/* The VM certificate. */
	uint8_t vm_mode;				 /**< 1 (protected) or 2 (debug: not). */
	uint8_t vm_config[PVM_VERIFY_VM_CONFIG_SIZE];	 /**< The configuration descriptor. */
	uint8_t vm_config_hash[PVM_VERIFY_HASH_SIZE];	 /**< H(vm_config). */
	uint8_t vm_authority_hash[PVM_VERIFY_HASH_SIZE]; /**< The VM's authority. */
	uint32_t vm_ipa_bits;				 /**< From the descriptor. */
	bool vm_protected;				 /**< From the descriptor. */
	uint64_t vm_ram_base;				 /**< From the descriptor. */
	uint64_t vm_ram_size;				 /**< From the descriptor. */

	/* The IDs (lower-case hex, terminated). */
	char root_id[PVM_VERIFY_ID_HEX_SIZE]; /**< ID(root key): the hypervisor cert's iss. */
	char hyp_id[PVM_VERIFY_ID_HEX_SIZE];  /**< ID(hypervisor key): its sub, the VM's iss. */
	char vm_id[PVM_VERIFY_ID_HEX_SIZE];   /**< ID(VM key): the VM certificate's sub. */

	/** On failure: the object the error was found in (::pvm_verify_part). */
	int fail_part;
};

/**
 * @brief Verify a VM's evidence and extract its claims.
 * @param evidence      The evidence bytes (CBOR).
 * @param len           Their number, at most ::PVM_VERIFY_EVIDENCE_MAX.
 * @param root_pub      The trusted root key (uncompressed P-256 point).
 * @param challenge     The challenge the relying party sent.
 * @param challenge_len Its length, 1 to ::PVM_VERIFY_CHALLENGE_MAX.
 * @param out           Out: the claims on success; on failure all zero but
 *                      pvm_claims::fail_part.
 * @return ::PVM_VERIFY_OK, or the first check that failed
 *         (::pvm_verify_status): ::PVM_VERIFY_E_INVAL and
 *         ::PVM_VERIFY_E_ROOT_KEY for bad arguments, ::PVM_VERIFY_E_INTERNAL
 *         when memory or OpenSSL fails, every other code for evidence that
 *         must be rejected.
 *
 * Never reads outside `evidence[0..len)`, whatever the bytes; the time and
 * memory it takes are bounded by @p len. Host side; any thread.
 */
int pvm_verify_evidence(const uint8_t *evidence, size_t len,
			const uint8_t root_pub[PVM_VERIFY_PUB_SIZE], const uint8_t *challenge,
			size_t challenge_len, struct pvm_claims *out);

/**
 * @brief A DICE ID as the certificates spell it:
 *        `hex(HKDF-SHA512(ikm = pub, salt = ID_SALT, info = "ID", 20 bytes))`
 *        with the most significant bit of the first byte cleared (Open
 *        Profile for DICE, docs/attestation.md §2), so the first hex digit
 *        is `0` to `7`.
 * @param pub The uncompressed P-256 point.
 * @param out The 40 lower-case hex digits and a terminator.
 * @return ::PVM_VERIFY_OK; ::PVM_VERIFY_E_INVAL (NULL); ::PVM_VERIFY_E_INTERNAL.
 */
int pvm_verify_id(const uint8_t pub[PVM_VERIFY_PUB_SIZE], char out[PVM_VERIFY_ID_HEX_SIZE]);

/**
 * @brief Human-readable description of a verification status.
 * @param status Any value; unknown values give "unknown verification error".
 * @return A static string; never NULL.
 */
const char *pvm_verify_strerror(int status);

/**
 * @brief Name of an evidence part, for messages.
 * @param part A ::pvm_verify_part.
 * @return A static string ("token", "VM certificate", ...); never NULL.
 */
const char *pvm_verify_part_name(int part);

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_VERIFY_H */
