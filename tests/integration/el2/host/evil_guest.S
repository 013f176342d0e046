/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host's own code of test "attack_unmeasured" (attack.c): one page the
 * host puts into a protected VM next to the genuine attest image, at
 * ATTACK_EXTRA_IPA, and boots vCPU 0 at. It writes "EVIL" and a newline to
 * the sample UART and powers the VM off. Given with plain DONATE_GUEST the
 * hypervisor must zero the page (docs/attestation.md §1.1): the vCPU then
 * runs zeroes, never this. Given with VM_LOAD_MEASURED (the test's control)
 * it runs, and says so: the code is good, so its silence in the attack is
 * the hypervisor's doing. Position-independent: only PC-relative accesses.
 */
#include "pvm_layout.h"

#define PSCI_SYSTEM_OFF 0x84000008

	.section .rodata.evil_guest, "a"
	.balign	4
	.globl	host_evil_guest, host_evil_guest_end
host_evil_guest:
	movz	x1, #(PVM_LAYOUT_UART_BASE >> 16), lsl #16
	adr	x2, 3f
1:	ldrb	w3, [x2], #1
	cbz	w3, 2f
	str	w3, [x1, #PVM_LAYOUT_UART_DR]
	b	1b
2:	movz	w0, #(PSCI_SYSTEM_OFF & 0xffff)
	movk	w0, #(PSCI_SYSTEM_OFF >> 16), lsl #16
	hvc	#0
	b	.
3:	.asciz	"EVIL\n"
	.balign	4
host_evil_guest_end:
