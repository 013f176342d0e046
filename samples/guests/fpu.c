/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fpu: a guest that keeps state in its FP/SIMD registers and checks that
 * the hypervisor keeps it. It opens FP/SIMD for itself (CPACR_EL1.FPEN),
 * fills V0..V31, FPSR and FPCR with values of its own (fpregs.h), and
 * checks every register after each event that leaves the guest: a call the
 * hypervisor answers itself (SMCCC_VERSION), an MMIO read the VMM answers
 * (the UART's flag register) and a line of UART output (one exit per byte).
 * Several rounds, each with other values. At the end it leaves "key
 * material" (FPREGS_SECRET_SEED) in its registers and in a private page,
 * as a guest doing crypto would, for the host to prove after the teardown
 * that none of it comes back.
 *
 * This C file is built -mgeneral-regs-only like every guest: only fpregs.S
 * touches the FP/SIMD registers, so nothing in the guest itself changes
 * them between a fill and its check.
 */
#include "fpregs.h"
#include "hvc.h"
#include "mmio.h"
#include "pvm_layout.h"
#include "runtime.h"
#include "uart.h"

#include <libpvm/abi.h>

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE 4096
#define ROUNDS	  3
#define CALLS	  4 /* of each kind per round */

/* A private page (never shared) for the key material. */
static uint64_t secret[PAGE_SIZE / 8] __attribute__((aligned(PAGE_SIZE)));

static bool intact(unsigned long seed, unsigned round, const char *after)
{
	unsigned long bad = fpregs_check(seed);

	if (!bad)
		return true;
	uart_puts("fpu: FAIL round ");
	uart_putdec(round);
	uart_puts(": after ");
	uart_puts(after);
	uart_puts(bad <= 32 ? " V" : bad == 33 ? " FPSR" : " FPCR");
	if (bad <= 32)
		uart_putdec((long)bad - 1);
	uart_puts(" changed\n");
	return false;
}

static bool round_trip(unsigned round)
{
	/* Bits 12:8 of the seed go to FPCR: different in each round. */
	unsigned long seed = 0xf00dfeed00000000ul + round * 0x1111ul;
	unsigned i;

	fpregs_fill(seed);
	for (i = 0; i < CALLS; i++) {
		if ((uint32_t)smccc_hvc(SMCCC_VERSION, 0, 0, 0, 0, 0).a0 != SMCCC_VERSION_1_1) {
			uart_puts("fpu: FAIL SMCCC_VERSION\n");
			return false;
		}
		if (!intact(seed, round, "a hypervisor call"))
			return false;
		(void)mmio_read32(PVM_LAYOUT_UART_BASE + PVM_LAYOUT_UART_FR);
		if (!intact(seed, round, "an MMIO exit"))
			return false;
	}
	uart_puts("fpu: round ");
	uart_putdec(round);
	uart_puts(": V0-V31, FPSR and FPCR intact after hypervisor calls and MMIO exits\n");
	return intact(seed, round, "UART output");
}

/* Leave the key material in V0..V31 and in the private page; check the page holds it. */
static bool leave_secret(void)
{
	uint64_t lo = FPREGS_SECRET_SEED;
	unsigned n;

	fpregs_fill(FPREGS_SECRET_SEED);
	fpregs_store(secret);
	for (n = 0; n < 32; n++) {
		lo += FPREGS_STEP;
		if (secret[2 * n] != lo || secret[2 * n + 1] != (lo ^ FPREGS_HI_FLIP)) {
			uart_puts("fpu: FAIL the stored registers are not the key material\n");
			return false;
		}
	}
	uart_puts("fpu: key material left in V0-V31 and in private memory\n");
	return intact(FPREGS_SECRET_SEED, 0, "UART output");
}

int main(unsigned long dtb)
{
	unsigned round;

	(void)dtb;
	fpregs_enable();
	uart_puts("fpu: FP/SIMD enabled\n");
	for (round = 1; round <= ROUNDS; round++)
		if (!round_trip(round))
			return 0;
	if (leave_secret())
		uart_puts("fpu: done\n");
	return 0;
}
