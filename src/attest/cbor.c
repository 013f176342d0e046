/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Deterministic CBOR encoding (see cbor.h): shortest heads, definite
 * lengths, bounds-checked writes with sticky errors.
 */
#include "cbor.h"

#include <string.h>

void cbor_init(struct cbor *c, uint8_t *buf, size_t size)
{
	c->buf = buf;
	c->size = buf ? size : 0;
	c->len = 0;
	c->err = PVM_OK;
}

pvm_status_t cbor_status(const struct cbor *c, size_t *len)
{
	if (len)
		*len = c->len;
	return c->err;
}

static void fail(struct cbor *c, pvm_status_t err)
{
	if (!c->err)
		c->err = err;
}

/*
 * Room for @n more bytes at the cursor? The length always advances (so a
 * failed encoding still measures itself); bytes are written only while
 * everything so far fitted.
 */
static uint8_t *reserve(struct cbor *c, size_t n)
{
	size_t at = c->len;

	if (n > SIZE_MAX - at) {
		fail(c, PVM_E_RANGE);
		c->len = SIZE_MAX;
		return NULL;
	}
	c->len = at + n;
	if (c->err)
		return NULL;
	if (!c->buf || n > c->size - at || at > c->size) {
		fail(c, PVM_E_RANGE);
		return NULL;
	}
	return c->buf + at;
}

void cbor_head(struct cbor *c, unsigned major, uint64_t arg)
{
	uint8_t h[9];
	size_t n, i;
	uint8_t *p;

	if (arg < 24) {
		h[0] = (uint8_t)(major << 5 | arg);
		n = 1;
	} else {
		/* Shortest form: 1, 2, 4 or 8 argument bytes, big-endian. */
		unsigned ai = arg <= 0xff ? 24 : arg <= 0xffff ? 25 : arg <= 0xffffffffu ? 26 : 27;
		size_t bytes = (size_t)1 << (ai - 24);

		h[0] = (uint8_t)(major << 5 | ai);
		for (i = 0; i < bytes; i++)
			h[1 + i] = (uint8_t)(arg >> (8 * (bytes - 1 - i)));
		n = 1 + bytes;
	}
	p = reserve(c, n);
	if (p)
		memcpy(p, h, n);
}

void cbor_raw(struct cbor *c, const void *data, size_t len)
{
	uint8_t *p = reserve(c, len);

	if (p && len)
		memcpy(p, data, len);
}

void cbor_uint(struct cbor *c, uint64_t v)
{
	cbor_head(c, CBOR_UINT, v);
}

void cbor_int(struct cbor *c, int64_t v)
{
	/* A negative integer n is encoded as -1 - n, which cannot overflow. */
	if (v >= 0)
		cbor_head(c, CBOR_UINT, (uint64_t)v);
	else
		cbor_head(c, CBOR_NINT, ~(uint64_t)v);
}

void cbor_bstr(struct cbor *c, const void *data, size_t len)
{
	cbor_head(c, CBOR_BSTR, len);
	cbor_raw(c, data, len);
}

void cbor_tstr(struct cbor *c, const char *s, size_t len)
{
	cbor_head(c, CBOR_TSTR, len);
	cbor_raw(c, s, len);
}

void cbor_tstr_z(struct cbor *c, const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	cbor_tstr(c, s, n);
}

void cbor_array(struct cbor *c, uint64_t n)
{
	cbor_head(c, CBOR_ARRAY, n);
}

void cbor_tag(struct cbor *c, uint64_t tag)
{
	cbor_head(c, CBOR_TAG, tag);
}

void cbor_map(struct cbor *c, struct cbor_map *m, uint64_t n)
{
	m->left = n;
	m->last = 0;
	m->any = false;
	cbor_head(c, CBOR_MAP, n);
}

/* The head size of an integer's encoding: what orders keys within a major type. */
static unsigned head_len(uint64_t arg)
{
	return arg < 24 ? 1 : arg <= 0xff ? 2 : arg <= 0xffff ? 3 : arg <= 0xffffffffu ? 5 : 9;
}

bool cbor_int_key_before(int64_t a, int64_t b)
{
	unsigned ma = a < 0, mb = b < 0;
	uint64_t ua = a < 0 ? ~(uint64_t)a : (uint64_t)a;
	uint64_t ub = b < 0 ? ~(uint64_t)b : (uint64_t)b;

	/*
	 * Bytewise order of the encodings: the first byte holds the major type
	 * in its top bits, then (shortest form) a longer head has a larger
	 * additional-info value; equal lengths compare as big-endian numbers.
	 */
	if (ma != mb)
		return ma < mb;
	if (head_len(ua) != head_len(ub))
		return head_len(ua) < head_len(ub);
	return ua < ub;
}

void cbor_key(struct cbor *c, struct cbor_map *m, int64_t key)
{
	if (!m->left || (m->any && !cbor_int_key_before(m->last, key)))
		fail(c, PVM_E_INVAL);
	else
		m->left--;
	m->last = key;
	m->any = true;
	cbor_int(c, key);
}

void cbor_bstr_cbor(struct cbor *c, cbor_fn fn, const void *arg)
{
	struct cbor count;
	size_t n;

	cbor_init(&count, NULL, 0);
	fn(&count, arg);
	/* Count-only encoders fail with PVM_E_RANGE; anything else is a real error. */
	if (count.err != PVM_E_RANGE && count.err)
		fail(c, count.err);
	n = count.len;
	cbor_head(c, CBOR_BSTR, n);
	if (c->err) {
		/* Keep counting: the caller may want the size it needed. */
		(void)reserve(c, n);
		return;
	}
	fn(c, arg);
}
