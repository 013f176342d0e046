/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The raw image of the sample guest the host program runs (samples/guests'
 * hello.bin, linked at guest IPA PVM_LAYOUT_RAM_BASE), or nothing when the
 * build had none to give (guest.c then reports the test as failed).
 */
	.section .rodata.guest, "a"
	.balign	16
	.globl	host_guest_blob, host_guest_blob_end
host_guest_blob:
#ifdef PVM_EL2_GUEST_BIN
	.incbin	PVM_EL2_GUEST_BIN
#endif
host_guest_blob_end:
