/* SPDX-License-Identifier: Apache-2.0 */
/* The host program's raw binary, carried in the image and copied to its
 * link address by el2_host_start(). */
	.section .rodata.host, "a"
	.balign	16
	.globl	el2_host_blob, el2_host_blob_end
el2_host_blob:
	.incbin	PVM_EL2_HOST_BIN
el2_host_blob_end:
