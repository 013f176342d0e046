/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: what the EL2 port reads from the boot loader, built for
 * the host: its device tree parser (ports/el2/fdt_info.c, libfdt), the boot
 * arguments' words (ports/el2/common/bootargs.c) and the EL2 test host's
 * own minimal FDT reader (tests/integration/el2/host/fdt_chosen.c).
 *
 * All three run on every input, with no selector byte: the input is a dtb
 * as it is (the committed seeds are QEMU virt's device trees, unchanged), and
 * the boot arguments the parsers find in /chosen are what the port then
 * hands to bootarg(), so libFuzzer's mutations of the tree reach the boot
 * arguments' code through the same path as at boot. The input read as a
 * string (up to its first NUL) also goes to bootarg(), so that inputs that
 * are not trees exercise it directly.
 *
 * The dtb is a heap copy of exactly the input's size whose header says so
 * (totalsize, at offset 4, is set to the size: both readers' contract is a
 * blob of totalsize bytes), so ASan sees any read past its end. libfdt
 * reads the 40-byte header before it checks totalsize, so el2_fdt_parse()
 * gets a zero-padded 40-byte copy of shorter inputs; fdt_chosen_prop() gets
 * every input of 8 bytes or more (below that there is no totalsize). The
 * image's address, __image_start, is defined at link time (CMakeLists.txt)
 * as where the port's image is loaded on QEMU virt, inside the seeds' RAM.
 *
 * Oracles (each aborts with a message on stderr), beyond no sanitizer report:
 *   - el2_fdt_parse() -1: an error message; 0: no error, 1..EL2_CPUS_MAX
 *     CPUs, a RAM bank that holds __image_start, and boot arguments that are
 *     a NUL-terminated string inside the blob or an empty string;
 *   - fdt_chosen_prop(): a property found lies inside the blob (not compared
 *     with libfdt: see check_chosen());
 *   - bootarg(): the first word of args that starts with key, exactly
 *     (pointer right after the key, inside args, the key at the start of
 *     args or after a space; NULL only if there is no such word);
 *   - bootarg_hex(): exactly as its header says: n > 0 bytes when the word
 *     is 2n hex digits (1 <= n <= max) followed by NUL or a space, the bytes
 *     those digits spell (any case), else 0.
 */
#include <ctype.h>
#include <libfdt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootargs.h"
#include "el2.h"
#include "fdt_chosen.h"

#define HEADER 40 /* struct fdt_header, version 17 */

static const char *const keys[] = {"pvm.uds=", "el2-challenge=", "el2-test=", "el2-linux="};
static const char *const chosen_props[] = {"bootargs", "stdout-path", "linux,initrd-start",
					   "linux,initrd-end"};

static void die(const char *what, const void *where)
{
	fprintf(stderr, "fuzz_fdt: %s (%p)\n", what, where);
	abort();
}

static int hexval(int c)
{
	if (!isxdigit(c))
		return -1;
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* bootarg_hex() of value against its documentation, for one max. */
static void check_hex(const char *value, size_t max)
{
	uint8_t out[64];
	size_t n = bootarg_hex(value, out, max), digits = 0, want, i;

	while (hexval((unsigned char)value[digits]) >= 0)
		digits++;
	want = digits && digits % 2 == 0 && digits / 2 <= max &&
			       (value[digits] == '\0' || value[digits] == ' ')
		       ? digits / 2
		       : 0;
	if (n != want)
		die("bootarg_hex: not the number of whole hex bytes ending the word", value);
	for (i = 0; i < n; i++)
		if (out[i] != (hexval((unsigned char)value[2 * i]) << 4 |
			       hexval((unsigned char)value[2 * i + 1])))
			die("bootarg_hex: a byte is not what its digits spell", value + 2 * i);
	if (n && value[2 * n] != '\0' && value[2 * n] != ' ')
		die("bootarg_hex: the bytes do not end the word", value);
}

/* bootarg() of each key, and bootarg_hex() of what it finds, on args. */
static void check_args(const char *args)
{
	size_t len = strlen(args);

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		size_t klen = strlen(keys[k]);
		const char *got = bootarg(args, keys[k]), *want = NULL;

		for (const char *p = args; p + klen <= args + len; p++)
			if ((p == args || p[-1] == ' ') && !memcmp(p, keys[k], klen)) {
				want = p + klen;
				break;
			}
		if (got != want)
			die(got ? "bootarg: not right after the first word with the key"
				: "bootarg: a word with the key not found",
			    got);
		if (!got)
			continue;
		check_hex(got, 1);
		check_hex(got, 32);
		check_hex(got, 64);
	}
}

static void check_platform(const uint8_t *fdt, size_t size)
{
	struct el2_platform p;
	uint64_t me = (uint64_t)(uintptr_t)__image_start;

	memset(&p, 0xa5, sizeof(p));
	p.ncpus = 0; /* el2_fdt_parse() counts from the caller's zero (main.c: = {0}) */
	if (el2_fdt_parse(fdt, &p)) {
		if (!p.error)
			die("el2_fdt_parse: failed without an error message", fdt);
		return;
	}
	if (p.error)
		die("el2_fdt_parse: succeeded with an error message", p.error);
	if (p.ncpus < 1 || p.ncpus > EL2_CPUS_MAX)
		die("el2_fdt_parse: CPU count out of range", fdt);
	if (me < p.ram_base || me - p.ram_base >= p.ram_size)
		die("el2_fdt_parse: the RAM bank does not hold the image", fdt);
	if ((const uint8_t *)p.bootargs >= fdt && (const uint8_t *)p.bootargs < fdt + size) {
		size_t room = (size_t)(fdt + size - (const uint8_t *)p.bootargs);

		if (strnlen(p.bootargs, room) == room)
			die("el2_fdt_parse: boot arguments not terminated inside the blob",
			    p.bootargs);
	} else if (p.bootargs[0]) {
		die("el2_fdt_parse: boot arguments outside the blob", p.bootargs);
	}
	check_args(p.bootargs);
}

static void check_chosen(const uint8_t *fdt, size_t size)
{
	/*
	 * No cross-check against libfdt's view of /chosen: soundness would have
	 * to be asked of fdt_check_full(), which in Debian's libfdt 1.6.1
	 * dereferences NULL on some malformed trees (found by this harness's
	 * smoke run; the input is regress_libfdt_check_full_null).
	 */
	for (size_t i = 0; i < sizeof(chosen_props) / sizeof(chosen_props[0]); i++) {
		unsigned len = 0;
		const uint8_t *v =
			fdt_chosen_prop((unsigned long)(uintptr_t)fdt, chosen_props[i], &len);

		if (v && (v < fdt || v > fdt + size || len > (size_t)(fdt + size - v)))
			die("fdt_chosen_prop: a property outside the blob", v);
		/* What the test host would take as its boot arguments. */
		if (v && !strcmp(chosen_props[i], "bootargs") && len && !v[len - 1])
			check_args((const char *)v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *fdt = malloc(size > HEADER ? size : HEADER);
	char *str = malloc(size + 1);

	if (!fdt || !str)
		die("out of memory", NULL);
	memcpy(str, data, size);
	str[size] = '\0';
	check_args(str);
	free(str);

	memset(fdt, 0, size > HEADER ? size : HEADER);
	memcpy(fdt, data, size);
	if (size >= 8) {
		/* totalsize: the blob is exactly the input. */
		fdt[4] = (uint8_t)(size >> 24);
		fdt[5] = (uint8_t)(size >> 16);
		fdt[6] = (uint8_t)(size >> 8);
		fdt[7] = (uint8_t)size;
	}
	check_platform(fdt, size);
	if (size >= 8) {
		/* Exactly size bytes now: a read past them is an ASan report. */
		if (size < HEADER) {
			uint8_t *exact = malloc(size);

			if (!exact)
				die("out of memory", NULL);
			memcpy(exact, fdt, size);
			free(fdt);
			fdt = exact;
		}
		check_chosen(fdt, size);
	}
	free(fdt);
	return 0;
}
