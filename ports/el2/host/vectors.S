/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host's EL1 vectors. A synchronous exception from EL1 (SP_EL1: the
 * +0x200 entry, where the hypervisor injects its aborts) saves x0..x30 and
 * calls host_sync(frame), which may move ELR_EL1 on; everything else is
 * unexpected and reported by host_unexpected(kind).
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
