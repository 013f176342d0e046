/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A reference encoder of docs/attestation.md evidence, written independently
 * of the producer (src/attest/), for the verifier's tests and benchmark.
 *
 * vgen_init() fills a struct vgen with keys from fixed scalars and valid
 * values for every claim; a test then changes whatever it wants (a claim's
 * bytes, a label, the signer, a tag, the headers) and vgen_build() encodes
 * and signs the result, so only the changed check can fail. Signatures are
 * low-S (§3) unless a test asks for the high-S twin.
 */
#ifndef PVM_VERIFY_EVIDENCE_GEN_H
#define PVM_VERIFY_EVIDENCE_GEN_H

#include <libpvm/verify.h>

#include <openssl/evp.h>

#define VGEN_MAX_CLAIMS	  16
#define VGEN_COSE_KEY_MAX 96

enum vgen_kind {
	VGEN_BSTR, /* data/len as a byte string */
	VGEN_TSTR, /* data/len as a text string */
	VGEN_RAW,  /* data/len already CBOR */
};

struct vgen_claim {
	int64_t label;
	enum vgen_kind kind;
	const void *data;
	size_t len;
};

struct vgen_map {
	struct vgen_claim c[VGEN_MAX_CLAIMS];
	size_t n;
	bool keep_order; /* encode as listed, not in deterministic order */
};

/* One COSE_Sign1. */
struct vgen_obj {
	struct vgen_map claims;
	EVP_PKEY *signer;
	const uint8_t *prot; /* protected header bytes (default {1: -7}) */
	size_t prot_len;
	const uint8_t *unprot; /* unprotected header, raw CBOR (default {}) */
	size_t unprot_len;
	int64_t tag;		/* -1: untagged */
	const uint8_t *payload; /* if set: these payload bytes instead of the claims */
	size_t payload_len;
	size_t sig_len;	  /* bytes of signature emitted (default 64) */
	bool corrupt_sig; /* flip a bit of the signature */
	bool high_s;	  /* emit the high-S twin (r, n - s) of the low-S signature */
};

struct vgen_key {
	EVP_PKEY *pkey;
	uint8_t pub[PVM_VERIFY_PUB_SIZE];
};

enum { VGEN_HYP, VGEN_VM, VGEN_TOKEN };

struct vgen {
	struct vgen_key root, hyp, vm, other;
	char root_id[PVM_VERIFY_ID_HEX_SIZE], hyp_id[PVM_VERIFY_ID_HEX_SIZE];
	char vm_id[PVM_VERIFY_ID_HEX_SIZE];
	uint8_t hyp_code[64], hyp_config[64], hyp_config_hash[64], hyp_auth[64], hyp_mode;
	uint8_t vm_config[PVM_VERIFY_VM_CONFIG_SIZE], vm_config_hash[64], vm_auth[64], vm_mode;
	uint8_t key_usage;
	uint8_t hyp_key[VGEN_COSE_KEY_MAX], vm_key[VGEN_COSE_KEY_MAX];
	size_t hyp_key_len, vm_key_len;
	uint8_t challenge[PVM_VERIFY_CHALLENGE_MAX + 1], rpv[64], rim[64], rem[4][64];
	size_t challenge_len;
	uint8_t rems[4 * 66 + 1];
	size_t rems_len;
	struct vgen_obj obj[3]; /* VGEN_HYP, VGEN_VM, VGEN_TOKEN */
	unsigned count;		/* objects in the evidence array (default 3) */
};

/* Keys from fixed scalars, valid claims, signers. 0 on success. */
int vgen_init(struct vgen *g);
void vgen_free(struct vgen *g);

/* Encode and sign. Returns the evidence size; 0 if it does not fit in @cap. */
size_t vgen_build(const struct vgen *g, uint8_t *out, size_t cap);

/* A P-256 key from a 32-byte scalar of @fill bytes. 0 on success. */
int vgen_key_init(struct vgen_key *k, uint8_t fill);
void vgen_key_free(struct vgen_key *k);

/* The COSE_Key of a point. Returns its size. */
size_t vgen_cose_key(const uint8_t pub[PVM_VERIFY_PUB_SIZE], uint8_t out[VGEN_COSE_KEY_MAX]);

/* The claim with @label in @m, or NULL. */
struct vgen_claim *vgen_claim(struct vgen_map *m, int64_t label);
/* Drop the claim with @label. */
void vgen_remove(struct vgen_map *m, int64_t label);
/* Add (or replace) a claim. */
void vgen_set(struct vgen_map *m, int64_t label, enum vgen_kind kind, const void *data, size_t len);

/* Encode a CBOR head (major type, argument) in shortest form. Returns its size (<= 9). */
size_t vgen_head(uint8_t *p, unsigned major, uint64_t arg);

/* Hex of @n bytes into @out (2n + 1 bytes). */
void vgen_hex(const uint8_t *b, size_t n, char *out);

#endif
