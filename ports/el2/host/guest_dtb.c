/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device tree the host program gives every sample guest: pvm-run's,
 * made at build time by pvm-guest-dtb (samples/pvm-run/guest_dtb.c, which
 * says why) and embedded (guest_blob.S), with the boot's challenge
 * ("el2-challenge=<hex>" in the boot arguments, as the hypervisor's own
 * test takes it) written into its /chosen placeholder here. The guest's
 * own tree reader (samples/guests/runtime/fdt.c) finds the placeholder.
 */
#include <stddef.h>
#include <stdint.h>

#include "bootargs.h"
#include "fdt.h"
#include "host.h"
#include "pvm_layout.h"

#define FDT_NOP 4u

extern const char host_guest_dtb[], host_guest_dtb_end[];

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

size_t guest_dtb(uint8_t *out, size_t max, size_t *challenge_len)
{
	size_t size = (size_t)(host_guest_dtb_end - host_guest_dtb), i, n = 0;
	const char *hex = bootarg(host_bootargs, "el2-challenge=");
	uint8_t *val, *nop;
	unsigned room = 0;

	CHECK(size && size <= max,
	      "the guests' device tree is %zu bytes (room: %zu; the build "
	      "gave no guest.dtb?)",
	      size, max);
	for (i = 0; i < max; i++)
		((volatile uint8_t *)out)[i] = i < size ? (uint8_t)host_guest_dtb[i] : 0;
	val = (uint8_t *)(uintptr_t)fdt_chosen_prop((unsigned long)(uintptr_t)out,
						    PVM_LAYOUT_CHOSEN_CHALLENGE, &room);
	CHECK(val && room % 4 == 0, "no challenge placeholder in the guests' device tree");
	if (hex) {
		n = bootarg_hex(hex, val, room);
		CHECK(n, "el2-challenge= wants 1 to %u bytes in hex", room);
	}
	/*
	 * setprop_inplace: the value and its length, padded to a word; then
	 * NOPs where it no longer reaches. Without a challenge the whole
	 * property (token, length, name offset: 12 bytes) goes, as pvm-run
	 * leaves it out.
	 */
	if (n) {
		for (i = n; i % 4; i++)
			val[i] = 0;
		be32(val - 8, (uint32_t)n);
		nop = val + i;
	} else {
		nop = val - 12;
	}
	for (; nop < val + room; nop += 4)
		be32(nop, FDT_NOP);
	*challenge_len = n;
	return size;
}
