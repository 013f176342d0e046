/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The structure block of a device tree, checked whole before libfdt walks
 * it. libfdt 1.6.1 (Debian 12's, which this port links) trusts a
 * property's length when it steps to the next tag: a length of -12 makes
 * the next tag the same one, and fdt_path_offset() then loops forever
 * (found by fuzz_fdt). fdt_check_full() would catch it but dereferences
 * NULL on other malformed trees in that version. So this file walks the
 * block once, linearly, with every step bounded: each tag moves forward,
 * names end inside the block, property values and names inside theirs,
 * nodes nest and close, and FDT_END comes last. After it, every offset
 * libfdt computes from the block stays inside it and moves forward.
 */
#include <libfdt.h>

#include <stdint.h>

#include "el2.h"

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Offset of the first NUL in p[from..end), or end if there is none. */
static uint32_t nul_at(const uint8_t *p, uint32_t from, uint32_t end)
{
	while (from < end && p[from])
		from++;
	return from;
}

int el2_fdt_check(const void *fdt)
{
	const uint8_t *blob = fdt, *s;
	uint32_t total = fdt_totalsize(fdt), off = fdt_off_dt_struct(fdt);
	uint32_t size = fdt_size_dt_struct(fdt), soff = fdt_off_dt_strings(fdt);
	uint32_t ssize = fdt_size_dt_strings(fdt), pos = 0, len, name, end;
	int depth = 0, roots = 0;

	/* Version 17 has the structure block's size (QEMU, U-Boot, Linux write 17). */
	if (fdt_version(fdt) < 17 || off > total || size > total - off || size % 4 ||
	    soff > total || ssize > total - soff)
		return -1;
	s = blob + off;
	while (size - pos >= 4) {
		uint32_t tag = be32_at(s + pos);

		pos += 4;
		switch (tag) {
		case FDT_BEGIN_NODE:
			end = nul_at(s, pos, size);
			if (end == size || (depth == 0 && roots++))
				return -1; /* an unterminated name, or a second root */
			pos = (end + 4) & ~3u;
			depth++;
			break;
		case FDT_END_NODE:
			if (depth-- == 0)
				return -1;
			break;
		case FDT_PROP:
			if (size - pos < 8 || depth == 0)
				return -1;
			len = be32_at(s + pos);
			name = be32_at(s + pos + 4);
			pos += 8;
			if (len > size - pos || name >= ssize ||
			    nul_at(blob + soff, name, ssize) == ssize)
				return -1;
			pos = (uint32_t)(((uint64_t)pos + len + 3) & ~3ull);
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			return depth == 0 && roots == 1 && pos == size ? 0 : -1;
		default:
			return -1;
		}
		if (pos > size)
			return -1;
	}
	return -1; /* no FDT_END */
}
