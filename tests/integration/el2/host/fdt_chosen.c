/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal reader of the flattened device tree format (devicetree
 * specification v0.4, chapter 5): walk the structure block to the depth-1
 * node "chosen" and look up one property by name. Every offset is checked
 * against the sizes in the header; values are big-endian and read byte by
 * byte (Device memory: no unaligned loads).
 */
#include "fdt_chosen.h"

#include <stdint.h>

#define FDT_MAGIC      0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP	       4u
#define FDT_END	       9u

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned align4(unsigned v)
{
	return (v + 3u) & ~3u;
}

/* Length of the NUL-terminated string at s, bounded by max; max if unterminated. */
static unsigned slen(const unsigned char *s, unsigned max)
{
	unsigned n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

static int same(const unsigned char *a, unsigned alen, const char *b)
{
	unsigned i;

	for (i = 0; i < alen && b[i]; i++)
		if (a[i] != (unsigned char)b[i])
			return 0;
	return i == alen && !b[i];
}

const unsigned char *fdt_chosen_prop(unsigned long dtb, const char *name, unsigned *len)
{
	const unsigned char *h = (const unsigned char *)dtb, *st, *str;
	unsigned total, st_size, str_size, off = 0, depth = 0, in_chosen = 0;

	if (be32(h) != FDT_MAGIC)
		return 0;
	/* The blob is total bytes: the whole header (40 bytes) must fit before it is read. */
	total = be32(h + 4);
	if (total < 40 || be32(h + 20) < 16)
		return 0;
	st = h + be32(h + 8);
	str = h + be32(h + 12);
	str_size = be32(h + 32);
	st_size = be32(h + 36);
	if (be32(h + 8) > total || st_size > total - be32(h + 8) || be32(h + 12) > total ||
	    str_size > total - be32(h + 12))
		return 0;
	while (off + 4 <= st_size) {
		uint32_t tok = be32(st + off);
		unsigned n, plen, nameoff;

		off += 4;
		switch (tok) {
		case FDT_BEGIN_NODE:
			n = slen(st + off, st_size - off);
			depth++;
			in_chosen = depth == 2 && same(st + off, n, "chosen");
			off = align4(off + n + 1);
			break;
		case FDT_END_NODE:
			if (!depth)
				return 0;
			depth--;
			in_chosen = 0;
			break;
		case FDT_PROP:
			if (off + 8 > st_size)
				return 0;
			plen = be32(st + off);
			nameoff = be32(st + off + 4);
			off += 8;
			if (plen > st_size - off || nameoff >= str_size)
				return 0;
			if (in_chosen &&
			    same(str + nameoff, slen(str + nameoff, str_size - nameoff), name)) {
				*len = plen;
				return st + off;
			}
			off = align4(off + plen);
			break;
		case FDT_NOP:
			break;
		default: /* FDT_END or garbage */
			return 0;
		}
	}
	return 0;
}
