/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The raw images of the sample guests the host program runs (samples/guests'
 * NAME.bin, linked at guest IPA PVM_LAYOUT_RAM_BASE): host_guest_NAME to
 * host_guest_NAME_end for each guest of EL2_GUESTS. The build passes their
 * directory to the assembler (-Wa,-I) and defines PVM_EL2_GUEST_DIR; without
 * it every image is empty (guest.c then reports the test as failed). Also
 * host_guest_dtb to host_guest_dtb_end: guest.dtb from the same directory,
 * the device tree of every guest (guest_dtb.c); host_guest_linux_dtb: the
 * Linux guest's, linux.dtb (linux.c).
 */
#include "el2_tests.h"

	.macro	guest name
	.balign	16
	.globl	host_guest_\name, host_guest_\name\()_end
host_guest_\name:
#ifdef PVM_EL2_GUEST_DIR
	.ifc	\name, dtb
	.incbin	"guest.dtb"
	.else
	.ifc	\name, linux_dtb
	.incbin	"linux.dtb"
	.else
	.incbin	"\name\().bin"
	.endif
	.endif
#endif
host_guest_\name\()_end:
	.endm

	.section .rodata.guest, "a"
#define EL2_GUEST_BLOB(n) guest n;
	EL2_GUESTS(EL2_GUEST_BLOB)
	guest dtb
	guest linux_dtb
