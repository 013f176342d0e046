/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A deterministic CBOR encoder (RFC 8949 §4.2.1) for the attestation
 * formats: definite lengths, shortest-form heads, map keys in the order of
 * their encoded bytes.
 *
 * The encoder writes into caller memory through a bounds-checked cursor.
 * Errors are sticky: once a write does not fit, nothing more is written but
 * the cursor keeps counting, so an encoder over a buffer that is too small
 * (or over no buffer at all) reports the size that would have been needed.
 * Callers emit a whole structure, then ask cbor_status() once.
 *
 * Maps: the caller gives the keys in deterministic order. That order sorts
 * the keys' *encoded bytes*: every unsigned key (major type 0) comes before
 * every negative one (major type 1); within a major type a shorter head
 * comes first, then the larger byte value. For integer keys this gives
 * 1 < 2 < 23 < 24 < 255 < 256 < ... < -1 < -2 < -24 < -25 < ... < -4670545 <
 * -4670546: negative keys in *decreasing* value. cbor_key() checks it and
 * fails the encoding (PVM_E_INVAL) on a key out of order or one too many.
 */
#ifndef PVM_ATTEST_CBOR_H
#define PVM_ATTEST_CBOR_H

#include <libpvm/types.h>

/* Major types. */
#define CBOR_UINT  0u
#define CBOR_NINT  1u
#define CBOR_BSTR  2u
#define CBOR_TSTR  3u
#define CBOR_ARRAY 4u
#define CBOR_MAP   5u
#define CBOR_TAG   6u

struct cbor {
	uint8_t *buf;	  /* NULL: count only */
	size_t size;	  /* room in buf */
	size_t len;	  /* bytes emitted so far (counted even past size) */
	pvm_status_t err; /* first error: PVM_E_RANGE (no room) or PVM_E_INVAL */
};

/* A map being emitted: how many keys remain and the last one given. */
struct cbor_map {
	uint64_t left;
	int64_t last;
	bool any;
};

/* Start encoding into [buf, buf + size); buf may be NULL with size 0 (count only). */
void cbor_init(struct cbor *c, uint8_t *buf, size_t size);

/* PVM_OK, or the first error; *len (optional) the bytes the encoding takes. */
pvm_status_t cbor_status(const struct cbor *c, size_t *len);

/* A head of major type @major with argument @arg, in its shortest form. */
void cbor_head(struct cbor *c, unsigned major, uint64_t arg);
/* Bytes already in CBOR (a nested encoded item), copied as they are. */
void cbor_raw(struct cbor *c, const void *data, size_t len);

void cbor_uint(struct cbor *c, uint64_t v);
void cbor_int(struct cbor *c, int64_t v);
void cbor_bstr(struct cbor *c, const void *data, size_t len);
void cbor_tstr(struct cbor *c, const char *s, size_t len);
/* A text string from a NUL-terminated C string (the NUL not included). */
void cbor_tstr_z(struct cbor *c, const char *s);
void cbor_array(struct cbor *c, uint64_t n);
void cbor_tag(struct cbor *c, uint64_t tag);

/* A map of @n entries: then n times cbor_key() followed by the value. */
void cbor_map(struct cbor *c, struct cbor_map *m, uint64_t n);
void cbor_key(struct cbor *c, struct cbor_map *m, int64_t key);

/* True if integer key @a sorts strictly before @b in deterministic order. */
bool cbor_int_key_before(int64_t a, int64_t b);

/*
 * A byte string whose content is the CBOR that @fn emits (`bstr .cbor`):
 * @fn runs twice, once to count the length for the head, once to write.
 * It must emit the same bytes both times.
 */
typedef void (*cbor_fn)(struct cbor *c, const void *arg);
void cbor_bstr_cbor(struct cbor *c, cbor_fn fn, const void *arg);

#endif
