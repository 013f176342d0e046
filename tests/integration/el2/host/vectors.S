/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host's EL1 vectors: every entry saves x0..x30 and calls
 * host_exception(kind, frame) (main.c). A synchronous exception from EL1
 * (SP_EL1: the +0x200 entry, where the hypervisor injects its aborts) may
 * move ELR_EL1 on; an IRQ from EL1 (+0x280) is the host's own interrupt
 * (gic.c); everything else is unexpected.
 */
#include "macros.S.inc"

	.section .vectors, "ax"
	.balign	2048
	.globl	host_vectors
host_vectors:
	vectors	host_exc_common

	.text
host_exc_common:
	frame_call host_exception
