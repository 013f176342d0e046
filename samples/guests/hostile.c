/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostile: a guest that misbehaves on purpose. Each misbehaviour must be
 * refused, and refused without harm: the guest goes on to the next check
 * and ends normally.
 *
 * One line per check: `hostile: <check> (<value>) ok` when the answer is the
 * expected refusal, `hostile: FAIL <check> (<value>)` otherwise; the value
 * is what the hypervisor returned (decimal). The bad load prints the
 * runtime's exception line first and no value.
 *
 * Checks (h) and (i) assume the VM has a vCPU with MPIDR 1 and none with
 * MPIDR 7.
 */
#include "hvc.h"
#include "mmio.h"
#include "runtime.h"
#include "uart.h"

#include <libpvm/abi.h>

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE 4096

#define OUTSIDE_RAM		0x40000000  /* below guest RAM, no device there */
#define NO_DEVICE		0x20000000  /* neither RAM nor a device the VMM emulates */
#define UNDEFINED_VENDOR_CALL	0xc600abcdu /* SMC64, vendor hyp: no such call */
#define UNDEFINED_STANDARD_CALL 0x84000fffu /* SMC32, standard secure: no such call */
#define MISSING_CPU_MPIDR	7
#define PRESENT_CPU_MPIDR	1
#define ENTRY_OUTSIDE_RAM	0x1000

/* A page of the guest's own that it never shares. */
static char page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static void check(const char *what, long value, bool ok)
{
	uart_puts(ok ? "hostile: " : "hostile: FAIL ");
	uart_puts(what);
	uart_puts(" (");
	uart_putdec(value);
	uart_puts(ok ? ") ok\n" : ")\n");
}

/* A 64-bit call: its status is all of x0. */
static long call64(uint32_t fn, unsigned long a1)
{
	return (long)smccc_hvc(fn, a1, 0, 0, 0, 0).a0;
}

/* A 32-bit call, or PSCI: its status is w0. */
static int32_t call32(uint32_t fn, unsigned long a1, unsigned long a2, unsigned long a3)
{
	return (int32_t)smccc_hvc(fn, a1, a2, a3, 0, 0).a0;
}

static void bad_load(void)
{
	unsigned long before = exception_count;
	unsigned long taken;

	/* The VMM answers with an abort; the vector prints it and skips the load. */
	(void)mmio_read32(NO_DEVICE);
	taken = exception_count - before;
	if (taken == 1) {
		uart_puts("hostile: bad load survived ok\n");
	} else {
		uart_puts("hostile: FAIL bad load survived, exceptions taken ");
		uart_putdec((long)taken);
		uart_puts(" (expected 1)\n");
	}
}

int main(unsigned long dtb)
{
	unsigned long ipa = (unsigned long)page;
	long r;

	(void)dtb;

	r = call64(ARM_SMCCC_KVM_FUNC_MEM_SHARE, OUTSIDE_RAM);
	check("share outside ram refused", r, r < 0);

	r = call64(ARM_SMCCC_KVM_FUNC_MEM_SHARE, ipa + 8);
	check("share misaligned refused", r, r < 0);

	r = call64(UNDEFINED_VENDOR_CALL, 0);
	check("undefined vendor call not supported", r, r == SMCCC_RET_NOT_SUPPORTED);

	r = call32(UNDEFINED_STANDARD_CALL, 0, 0, 0);
	check("undefined standard call not supported", r, r == SMCCC_RET_NOT_SUPPORTED);

	r = call64(ARM_SMCCC_KVM_FUNC_MEM_UNSHARE, ipa);
	check("unshare of a page never shared refused", r, r < 0);

	r = call64(ARM_SMCCC_KVM_FUNC_MEM_RELINQUISH, OUTSIDE_RAM);
	check("relinquish outside ram refused", r, r < 0);

	bad_load();

	r = call32(PSCI_CPU_ON64, MISSING_CPU_MPIDR, (unsigned long)_start_secondary, 1);
	check("cpu_on missing cpu invalid parameters", r, r == PSCI_RET_INVALID_PARAMETERS);

	r = call32(PSCI_CPU_ON64, PRESENT_CPU_MPIDR, ENTRY_OUTSIDE_RAM, 1);
	check("cpu_on entry outside ram invalid address", r, r == PSCI_RET_INVALID_ADDRESS);

	uart_puts("hostile: done\n");
	return 0;
}
