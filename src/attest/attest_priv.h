/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside src/attest: measurement formulas, DICE derivations, COSE and the
 * encoders of certificates and tokens. Nothing here takes a lock.
 */
#ifndef PVM_ATTEST_PRIV_H
#define PVM_ATTEST_PRIV_H

#include <libpvm/attest.h>

#include "../vm_internal.h"
#include "cbor.h"

#define DICE_ID_SIZE	 20u
#define DICE_HEX_ID_SIZE 40u
#define DICE_CDI_SIZE	 32u
#define DICE_INPUT_SIZE	 64u
#define DICE_MODE_NORMAL 1u
#define DICE_MODE_DEBUG	 2u

/* "libpvm VM config v1" ‖ u32 ‖ u8 ‖ u64 ‖ u64 ‖ RPV. */
#define VM_CONFIG_DESC_SIZE (19u + 4u + 1u + 8u + 8u + PVM_RPV_SIZE)

/* Overwrite a secret; the compiler may not drop it as a dead store. */
void attest_wipe(void *p, size_t n);

/* ---- measure.c: docs/attestation.md §1 ---- */

/* RIM = H("libpvm RIM v2" ‖ u32 ipa_bits ‖ u8 protected ‖ u64 ram_base ‖ u64 ram_size). */
void measure_rim_init(uint8_t rim[PVM_SHA512_SIZE], uint32_t ipa_bits, bool protected_vm,
		      uint64_t ram_base, uint64_t ram_size);
/* The records of docs/attestation.md §1.1: RIM = H(RIM ‖ record). */
void measure_rim_data(uint8_t rim[PVM_SHA512_SIZE], uint64_t ipa, uint64_t size, uint64_t flags,
		      const uint8_t content_hash[PVM_SHA512_SIZE]);
void measure_rim_unknown(uint8_t rim[PVM_SHA512_SIZE], uint64_t ipa, uint64_t size);
void measure_rim_vcpu_create(uint8_t rim[PVM_SHA512_SIZE], uint32_t index);
void measure_rim_vcpu_boot(uint8_t rim[PVM_SHA512_SIZE], uint32_t index, uint64_t pc, uint64_t x0);
/* REM = H(REM ‖ data). */
void measure_rem_extend(uint8_t rem[PVM_SHA512_SIZE], const void *data, size_t len);
/* The VM configuration descriptor of §2 (VM_CONFIG_DESC_SIZE bytes). */
void measure_vm_config_desc(uint8_t desc[VM_CONFIG_DESC_SIZE], const struct pvm_vm *vm);

/* ---- dice.c: docs/attestation.md §2 ---- */

extern const uint8_t dice_asym_salt[64];
extern const uint8_t dice_id_salt[64];

/* The inputs of one DICE layer. */
struct dice_inputs {
	const uint8_t *code;	  /* 64 bytes */
	const uint8_t *config;	  /* 64 bytes: H(configuration descriptor) */
	const uint8_t *authority; /* 64 bytes */
	const uint8_t *hidden;	  /* 64 bytes, or NULL for zeroes */
	uint8_t mode;
};

/* CDI_Attest' and CDI_Seal' from the previous layer's CDIs (or the UDS for both). */
pvm_status_t dice_cdis(const uint8_t attest_in[DICE_CDI_SIZE], const uint8_t seal_in[DICE_CDI_SIZE],
		       const struct dice_inputs *in, uint8_t attest_out[DICE_CDI_SIZE],
		       uint8_t seal_out[DICE_CDI_SIZE]);
/* ASYM_KDF: the 32-byte seed KDF(32, ikm, ASYM_SALT, "Key Pair"), then the key pair. */
pvm_status_t dice_asym_seed(const uint8_t ikm[DICE_CDI_SIZE], uint8_t seed[32]);
pvm_status_t dice_asym_kdf(const uint8_t ikm[DICE_CDI_SIZE], uint8_t priv[PVM_P256_PRIV_SIZE],
			   uint8_t pub[PVM_P256_PUB_SIZE]);
/* ID(pub) = KDF(20, pub, ID_SALT, "ID") with bit 7 of its first byte cleared (§2). */
pvm_status_t dice_id(const uint8_t pub[PVM_P256_PUB_SIZE], uint8_t id[DICE_ID_SIZE]);
/* The ID as certificates carry it: 40 lower-case hex characters. */
void dice_hex_id(const uint8_t id[DICE_ID_SIZE], char hex[DICE_HEX_ID_SIZE]);
/* KDF(32, cdi_seal, ctx, "libpvm sealing key"). */
pvm_status_t dice_seal_key(const uint8_t cdi_seal[DICE_CDI_SIZE], const uint8_t *ctx, size_t len,
			   uint8_t key[32]);

/* ---- cose.c: docs/attestation.md §3 ---- */

/* The COSE_Key of a P-256 public key (the map itself, not wrapped). */
void cose_key(struct cbor *c, const uint8_t pub[PVM_P256_PUB_SIZE]);
/* The same in a byte string, as certificates and tokens carry it. */
void cose_key_bstr(struct cbor *c, const uint8_t pub[PVM_P256_PUB_SIZE]);

/*
 * A COSE_Sign1 with ES256 whose payload is the CBOR @fn emits, tagged (18)
 * or not. Signed with @priv unless @presig gives the signature already
 * (a deterministic signature made earlier over the same bytes); @sig_out,
 * optional, receives the signature. Signing failures set PVM_E_STATE on @c.
 * When the encoder has no room, nothing is signed and the length needed
 * is still counted.
 */
void cose_sign1(struct cbor *c, bool tagged, cbor_fn fn, const void *arg, const uint8_t *priv,
		const uint8_t *presig, uint8_t *sig_out);

/* ---- cert.c: docs/attestation.md §4 ---- */

struct cert_claims {
	const uint8_t *iss;  /* issuer ID, DICE_ID_SIZE */
	const uint8_t *sub;  /* subject ID, DICE_ID_SIZE */
	const uint8_t *code; /* 64 */
	const uint8_t *config_desc;
	size_t config_desc_len;
	const uint8_t *config_hash; /* 64: H(config_desc) */
	const uint8_t *authority;   /* 64 */
	uint8_t mode;
	const uint8_t *pub; /* the subject's key, PVM_P256_PUB_SIZE */
};

/* An untagged COSE_Sign1 certificate (signed with @priv unless @presig is given). */
void cert_encode(struct cbor *c, const struct cert_claims *cl, const uint8_t *priv,
		 const uint8_t *presig, uint8_t *sig_out);

/* ---- token.c: docs/attestation.md §5 ---- */

struct token_claims {
	const uint8_t *challenge;
	size_t challenge_len;
	const uint8_t *rpv;		       /* PVM_RPV_SIZE */
	const uint8_t *pub;		       /* the VM's attestation key */
	const uint8_t *rim;		       /* 64 */
	const uint8_t (*rem)[PVM_SHA512_SIZE]; /* PVM_REM_COUNT of them */
};

/* The token, tagged COSE_Sign1 signed with @priv (the VM's attestation key). */
void token_encode(struct cbor *c, const struct token_claims *cl, const uint8_t *priv);

/* ---- seal.c ---- */

/* Room for a VM certificate (its size is fixed; the tests check it fits). */
#define VM_CERT_MAX 640u

/* The VM certificate's claims but its key (the descriptor and its hash in caller buffers). */
void vm_cert_claims(const struct pvm_hyp *hyp, const struct pvm_vm *vm, struct cert_claims *cl,
		    uint8_t sub[DICE_ID_SIZE], uint8_t desc[VM_CONFIG_DESC_SIZE],
		    uint8_t desc_hash[PVM_SHA512_SIZE]);

#endif
