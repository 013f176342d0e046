/* SPDX-License-Identifier: Apache-2.0 */
/* The boot arguments' words: no libc (the host program links none). */
#include "bootargs.h"

char *bootarg(const char *args, const char *key)
{
	const char *p;
	size_t i;

	for (p = args; *p; p++) {
		if (p != args && p[-1] != ' ')
			continue;
		for (i = 0; key[i] && p[i] == key[i]; i++)
			;
		if (!key[i])
			return (char *)(uintptr_t)(p + i);
	}
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t bootarg_hex(const char *value, uint8_t *out, size_t max)
{
	size_t n;
	int hi, lo;

	for (n = 0; n < max; n++) {
		hi = hexval(value[2 * n]);
		lo = hi < 0 ? -1 : hexval(value[2 * n + 1]);
		if (lo < 0)
			break;
		out[n] = (uint8_t)(hi << 4 | lo);
	}
	return value[2 * n] && value[2 * n] != ' ' ? 0 : n;
}
