/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device tree the host program gives every sample guest: pvm-run's,
 * made at build time by pvm-guest-dtb (samples/pvm-run/guest_dtb.c, which
 * says why) and embedded (guest_blob.S), then zeroes to the end of its
 * PVM_LAYOUT_FDT_SIZE: the bytes pvm-run loads, measured, for the same
 * guest. Nothing in it changes from boot to boot: the attest guest's
 * challenge comes through the mailbox (guest.c).
 */
#include <stddef.h>
#include <stdint.h>

#include "host.h"

extern const char host_guest_dtb[], host_guest_dtb_end[];

size_t guest_dtb(uint8_t *out, size_t max)
{
	size_t size = (size_t)(host_guest_dtb_end - host_guest_dtb), i;

	CHECK(size && size <= max,
	      "the guests' device tree is %zu bytes (room: %zu; the build "
	      "gave no guest.dtb?)",
	      size, max);
	for (i = 0; i < max; i++)
		((volatile uint8_t *)out)[i] = i < size ? (uint8_t)host_guest_dtb[i] : 0;
	return size;
}
