/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of what the world switch keeps apart on one physical CPU, from
 * the host's side (the guests are debug_guest.S and lrs_guest.S):
 *
 * debug: the debug and PMU registers are not switched, so they must be
 * neither the guest's nor the host's window on the guest. The host arms a
 * breakpoint on a guest instruction (MDSCR_EL1.KDE/MDE, the OS lock open)
 * and counts cycles at EL0/EL1 (PMCCNTR_EL0, not EL2); the guest writes a
 * debug and a PMU register and reads three. As pKVM has them for protected
 * guests, they read as zero and ignore writes (the core's
 * pvm_sysreg_trap_policy(); an unmodified Linux writes MDSCR_EL1, OSLAR_EL1
 * and PMUSERENR_EL0 at boot): the guest must get no UNDEFINED exception
 * (no guest-fault exit), its three reads must be zero although the host's
 * registers hold other values (it reports them in an MMIO write), the
 * host's registers must hold the host's values after the run, the
 * breakpoint must not fire in the guest,
 * and the cycle counter must not have counted the guest's 1/16 s of
 * spinning (a host-side spin of the same length is the yardstick).
 *
 * lrs: a guest holds every list register active and asserts its virtual
 * timer with its interrupts masked. The timer has no list register then:
 * the hypervisor must not let it fire physically again and again (it would
 * resume the guest for ever, with interrupts masked at EL2, and this CPU
 * would never see its tick again): the host's time slices must end the
 * runs, and the guest must get its timer and every queued interrupt once
 * it lets them go.
 */
#include <libpvm/abi.h>

#include "host.h"
#include "hvc.h"
#include "isolation.h"
#include "print.h"
#include "sysreg.h"

#define EXIT_MMIO	   1
#define EXIT_WFI	   3
#define EXIT_PSCI	   5
#define EXIT_GUEST_FAULT   7
#define EXIT_INTERRUPTED   10
#define FAULT_UNDEF	   2
#define MAX_RUNS	   4000
#define SLICE_US	   1000
#define HOST_BVR	   0x00000000abcd1000ull /* the host's own DBGBVR1_EL1 value */
#define DBGBCR_ENABLED_EL1 0x1e7ull		 /* E, PMC EL1+EL0, BAS 0b1111: an address match */
#define MDSCR_KDE	   (1ull << 13)
#define MDSCR_MDE	   (1ull << 15)
#define PMCR_E		   (1ull << 0)
#define PMCR_C		   (1ull << 2)
#define PMCNTEN_CYCLES	   (1ull << 31)
#define HOST_PMSELR	   2

/* Run vCPU 0 of vm once with a time slice; the exit in x. */
/* Run vCPU 0 until its next exit; @mmio: the value an MMIO read exit reads. */
static void run_value(uint64_t vm, uint64_t x[8], bool slice, uint64_t mmio)
{
	x[0] = PVM_HC_VCPU_RUN;
	x[1] = vm;
	x[2] = x[3] = x[5] = x[6] = x[7] = 0;
	x[4] = mmio;
	if (slice)
		host_slice_start(SLICE_US);
	host_hvc(x);
	host_irqs_take();
	host_slice_stop();
	CHECK(x[0] == 0, "PVM_HC_VCPU_RUN: %ld", (int64_t)x[0]);
}

static void run_once(uint64_t vm, uint64_t x[8], bool slice)
{
	run_value(vm, x, slice, 0);
}

static uint64_t cycles(void)
{
	isb();
	return read_sysreg(pmccntr_el0);
}

void test_debug(void)
{
	uint64_t bp = VM_RAM_IPA + (uint64_t)(host_debug_guest_bp - host_debug_guest);
	uint64_t vm, x[8], c0, spin, guest, mdscr, end, read = ~0ull;
	unsigned undefs = 0, runs, reads = 0;

	/* The host's debug and PMU state: a breakpoint on the guest's instruction, cycles. */
	write_sysreg(0, oslar_el1);
	write_sysreg(bp, dbgbvr0_el1);
	write_sysreg(DBGBCR_ENABLED_EL1, dbgbcr0_el1);
	write_sysreg(HOST_BVR, dbgbvr1_el1);
	write_sysreg(MDSCR_KDE | MDSCR_MDE, mdscr_el1);
	write_sysreg(HOST_PMSELR, pmselr_el0);
	write_sysreg(0, pmccfiltr_el0); /* EL0 and EL1, not EL2 */
	write_sysreg(PMCNTEN_CYCLES, pmcntenset_el0);
	write_sysreg(PMCR_E | PMCR_C, pmcr_el0);
	mdscr = read_sysreg(mdscr_el1);

	/* The yardstick: the host's own spin of 1/16 s. */
	c0 = cycles();
	end = host_now() + read_sysreg(cntfrq_el0) / 16;
	while (host_now() < end)
		;
	spin = cycles() - c0;

	vm = vm_boot_code(host_debug_guest, host_debug_guest_end);
	c0 = cycles();
	for (runs = 0; runs < 16; runs++) {
		run_once(vm, x, false);
		if (x[1] == EXIT_MMIO && x[2] == DEBUG_GUEST_READS && !reads++) {
			read = x[3];
			continue; /* the write completes; the guest goes on */
		}
		if (x[1] != EXIT_GUEST_FAULT)
			break;
		CHECK(x[2] == FAULT_UNDEF, "a guest fault of reason %lu", x[2]);
		undefs++;
	}
	guest = cycles() - c0;
	CHECK(x[1] != EXIT_MMIO, "the guest took an exception it did not expect: ESR_EL1 0x%lx%s",
	      x[3], (x[3] >> 26) == 0x31 ? " (the host's breakpoint)" : "");
	CHECK(reads == 1 && read == 0,
	      "the guest's reads of MDSCR_EL1, PMCCNTR_EL0, DBGBVR0_EL1 gave 0x%lx (%u reports), "
	      "want 0",
	      read, reads);
	CHECK(x[1] == EXIT_PSCI && x[2] == PSCI_SYSTEM_OFF,
	      "exit %lu (x2 0x%lx), want SYSTEM_OFF after the guest's accesses", x[1], x[2]);
	CHECK(read_sysreg(dbgbvr0_el1) == bp && read_sysreg(dbgbvr1_el1) == HOST_BVR,
	      "the guest's debug register reached the host: DBGBVR0_EL1 0x%lx",
	      read_sysreg(dbgbvr0_el1));
	CHECK(read_sysreg(pmselr_el0) == HOST_PMSELR,
	      "the guest's PMU register reached the host: PMSELR_EL0 0x%lx",
	      read_sysreg(pmselr_el0));
	CHECK(read_sysreg(mdscr_el1) == mdscr, "MDSCR_EL1 0x%lx after the run, 0x%lx before",
	      read_sysreg(mdscr_el1), mdscr);
	CHECK(undefs == 0, "%u of the guest's %u debug and PMU register accesses were UNDEFINED",
	      undefs, DEBUG_GUEST_ACCESSES);
	CHECK(guest < spin / 4,
	      "the host's cycle counter counted the guest: %lu cycles over its runs, %lu for the "
	      "host's own spin of the same length",
	      guest, spin);
	print("host: the guest's %u debug and PMU register accesses read zero and wrote nothing, "
	      "the host's "
	      "breakpoint did not fire in it, its cycle counter counted %lu cycles over the runs "
	      "(%lu for the host's own spin)\n",
	      DEBUG_GUEST_ACCESSES, guest, spin);

	write_sysreg(0, mdscr_el1);
	write_sysreg(0, dbgbcr0_el1);
	write_sysreg(0, pmcr_el0);
	write_sysreg(PMCNTEN_CYCLES, pmcntenclr_el0);
	isb();
	vm_destroy(vm);
}

void test_lrs(void)
{
	uint64_t vm = vm_boot_code(host_lrs_guest, host_lrs_guest_end), x[8], report[2], answer = 0;
	unsigned runs, reports = 0, slices = 0, polls = 0;
	int64_t ret;

	for (unsigned i = 0; i < LRS_GUEST_COUNT; i++) {
		ret = hvc(PVM_HC_VCPU_IRQ, vm, 0, LRS_GUEST_FIRST + i, 0, 0, 0, NULL);
		CHECK(ret == 0, "PVM_HC_VCPU_IRQ of INTID %u: %ld", LRS_GUEST_FIRST + i, ret);
	}
	for (runs = 0; runs < MAX_RUNS; runs++) {
		run_value(vm, x, true, answer);
		answer = 0;
		if (x[1] == EXIT_PSCI)
			break;
		if (x[1] == EXIT_INTERRUPTED) {
			slices += reports == 1; /* while its timer is asserted */
			continue;
		}
		if (x[1] == EXIT_WFI)
			continue;
		/* The guest asks whether a time slice ended yet (a read: size | write << 8). */
		if (x[1] == EXIT_MMIO && x[2] == LRS_GUEST_REPORT + 16 && !(x[4] >> 8)) {
			answer = slices;
			polls++;
			continue;
		}
		CHECK(x[1] == EXIT_MMIO && x[2] == LRS_GUEST_REPORT && reports < 2,
		      "exit %lu (x2 0x%lx x3 0x%lx)", x[1], x[2], x[3]);
		report[reports++] = x[3];
	}
	CHECK(x[1] == EXIT_PSCI && x[2] == PSCI_SYSTEM_OFF && reports == 2,
	      "the guest did not finish: exit %lu after %u runs, %u reports", x[1], runs, reports);
	CHECK(report[0] >= 1 && report[0] < LRS_GUEST_COUNT,
	      "the guest held %lu interrupts active at first", report[0]);
	CHECK(slices >= 1, "no time slice ended while the guest's timer waited");
	CHECK(report[1] == ((1u << 8) | (LRS_GUEST_COUNT - report[0])),
	      "the guest took 0x%lx after the first %lu (timer << 8 | interrupts)", report[1],
	      report[0]);
	print("host: the guest held all %lu list registers with its timer asserted: %u time slices "
	      "ended meanwhile (it asked %u times); then it took its timer and the other %lu "
	      "interrupts\n",
	      report[0], slices, polls, report[1] & 0xff);
	vm_destroy(vm);
}
