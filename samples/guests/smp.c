/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smp: vCPU 0 starts vCPU 1 with PSCI CPU_ON, vCPU 1 prints a line, counts
 * once and switches itself off, and vCPU 0 waits for AFFINITY_INFO to say
 * so. Then vCPU 0 starts vCPU 1 a second time: it must come up reset, its
 * VBAR_EL1 0 again although its first run installed the vectors there (a
 * hypervisor that kept the EL1 system registers of the first run fails).
 *
 * The output must not depend on how the two vCPUs are scheduled, so they
 * never print at the same time: vCPU 0 prints nothing between its first
 * CPU_ON and seeing vCPU 1 OFF, and reports what its CPU_ON calls returned
 * afterwards.
 */
#include "hvc.h"
#include "runtime.h"
#include "uart.h"

#include <libpvm/abi.h>

#include <stdint.h>

#define SECONDARY_MPIDR	  1
#define SECONDARY_CONTEXT 1 /* = the runtime's stack index for it */

/*
 * AFFINITY_INFO polls before giving up on vCPU 1. Each poll is a hypercall,
 * so it also gives a VMM that runs the vCPUs in turn a point to switch.
 */
#define OFF_POLLS 1000000

/* Written only by vCPU 1, read by vCPU 0 once vCPU 1 is OFF: no atomics. */
static volatile unsigned long counter;

/*
 * Set by vCPU 0 after its second CPU_ON. vCPU 1 stays on until then, so the
 * second CPU_ON always finds it ON or ON_PENDING: without this, a fast
 * vCPU 1 could be OFF again by then, and CPU_ON would (rightly) start it
 * a second time. Device memory (MMU off): plain accesses are ordered.
 */
static volatile unsigned long release_cpu1;

void secondary_main(unsigned long cpu)
{
	/* One string, so one loop of putc, whatever cpu is (1..3). */
	char line[] = "smp: cpu? up\n";

	line[8] = (char)('0' + cpu);
	uart_puts(line);
	while (!release_cpu1)
		;
	counter++;
}

static int32_t cpu_on(void)
{
	unsigned long entry = (unsigned long)_start_secondary;
	struct smccc_res r =
		smccc_hvc(PSCI_CPU_ON64, SECONDARY_MPIDR, entry, SECONDARY_CONTEXT, 0, 0);

	return (int32_t)r.a0;
}

/* AFFINITY_INFO(vCPU 1, level 0) until OFF; the last answer. */
static int32_t wait_secondary_off(void)
{
	int32_t state = PSCI_AFF_ON;
	long i;

	for (i = 0; i < OFF_POLLS && state != PSCI_AFF_OFF && state >= 0; i++)
		state = (int32_t)smccc_hvc(PSCI_AFFINITY_INFO64, SECONDARY_MPIDR, 0, 0, 0, 0).a0;
	return state;
}

static void report_second_cpu_on(int32_t ret)
{
	if (ret == PSCI_RET_ALREADY_ON)
		uart_puts("smp: second cpu_on: ALREADY_ON (-4)\n");
	else if (ret == PSCI_RET_ON_PENDING)
		uart_puts("smp: second cpu_on: ON_PENDING (-5)\n");
	else {
		uart_puts("smp: FAIL second cpu_on returned ");
		uart_putdec(ret);
		uart_puts(" (expected -4 or -5)\n");
	}
}

/* The second CPU_ON of vCPU 1, once it is OFF: a fresh vCPU again. */
static void again(void)
{
	int32_t ret, state;

	secondary_entry_vbar[SECONDARY_CONTEXT] = 1; /* never a VBAR (bits 10:0 are RES0) */
	ret = cpu_on();
	state = ret == PSCI_RET_SUCCESS ? wait_secondary_off() : PSCI_AFF_ON;
	if (ret != PSCI_RET_SUCCESS) {
		uart_puts("smp: FAIL cpu_on cpu1 again returned ");
		uart_putdec(ret);
		uart_puts(" (expected 0)\n");
	} else if (state != PSCI_AFF_OFF || counter != 2) {
		uart_puts("smp: FAIL cpu1 on again did not run once and switch off\n");
	} else if (secondary_entry_vbar[SECONDARY_CONTEXT]) {
		uart_puts("smp: FAIL cpu1 on again came up with vbar_el1=");
		uart_puthex(secondary_entry_vbar[SECONDARY_CONTEXT]);
		uart_puts(" (expected 0: reset)\n");
	} else {
		uart_puts("smp: cpu1 on again, off, counter=2, vbar_el1 was reset\n");
	}
}

static void run(void)
{
	uint32_t version = (uint32_t)smccc_hvc(PSCI_VERSION, 0, 0, 0, 0, 0).a0;
	int32_t first, second, state;

	/*
	 * 1.1 or a later 1.x, which keeps every call used here: libpvm's
	 * PSCI is 1.1, KVM's in-kernel one (a pKVM-protected VM on Linux 7.3)
	 * is 1.3.
	 */
	if (version >> 16 != 1 || (version & 0xffff) < (PSCI_VERSION_1_1 & 0xffff)) {
		uart_puts("smp: FAIL psci version ");
		uart_puthex(version);
		uart_puts(" (expected 0x10001 or a later 1.x)\n");
		return;
	}
	uart_puts("smp: psci version ");
	uart_puthex(version);
	uart_putc('\n');

	first = cpu_on();
	if (first != PSCI_RET_SUCCESS) {
		uart_puts("smp: FAIL cpu_on cpu1 returned ");
		uart_putdec(first);
		uart_puts(" (expected 0)\n");
		return;
	}
	second = cpu_on();
	release_cpu1 = 1;
	state = wait_secondary_off();

	/* vCPU 1 is OFF (or lost): printing is safe again. */
	uart_puts("smp: cpu_on cpu1 ok\n");
	report_second_cpu_on(second);
	if (state != PSCI_AFF_OFF) {
		uart_puts("smp: FAIL cpu1 not off, affinity_info returned ");
		uart_putdec(state);
		uart_putc('\n');
	} else if (counter != 1) {
		uart_puts("smp: FAIL cpu1 off, counter=");
		uart_putdec((long)counter);
		uart_puts(" (expected 1)\n");
	} else {
		uart_puts("smp: cpu1 off, counter=1\n");
		again();
	}
}

int main(unsigned long dtb)
{
	(void)dtb;
	uart_puts("smp: cpu0 up\n");
	run();
	uart_puts("smp: done\n");
	return 0;
}
