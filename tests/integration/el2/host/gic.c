/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host's own interrupts, as a host kernel has them under pKVM: the
 * physical GICv3 is the host's (the hypervisor maps its distributor and
 * redistributors into the host's stage-2 and runs the host with
 * HCR_EL2.IMO clear, so ICC_*_EL1 here are the physical CPU interface), and
 * so is the EL1 physical timer, CNTP (PPI 30). Like Linux under nVHE KVM,
 * the host keeps CNTP for itself and leaves the virtual timer (PPI 27) to
 * guests; it enables PPI 27 for the hypervisor, which links it to the
 * guest's virtual PPI 27 (ports/el2/vgic.c).
 *
 * The timer is the host's scheduler tick: armed before each run of a vCPU,
 * it fires while the guest runs, the physical IRQ stops the guest (an
 * INTERRUPTED exit), and the host takes it here once its interrupts are
 * unmasked. The same timer, set to a guest's timer deadline, wakes the
 * host when every vCPU waits in WFI.
 *
 * Every CPU has its redistributor (found by GICR_TYPER's affinity), its
 * CPU interface and its CNTP, so each host CPU has its own tick; SGI 1 is
 * the host's "kick" between its CPUs (work for the other CPU, a vCPU of
 * its own made runnable), as a host kernel's reschedule IPI.
 */
#include <stdint.h>

#include "host.h"
#include "sysreg.h"

#define GICD_CTLR	0x0000
#define GICD_CTLR_RWP	(1u << 31)
#define GICD_CTLR_ARE	(1u << 4)
#define GICD_CTLR_GRP1	(3u << 0) /* EnableGrp1 (NS view) / EnableGrp0+1 (DS = 1) */
#define GICR_CTLR	0x0000
#define GICR_CTLR_RWP	(1u << 3)
#define GICR_TYPER	0x0008
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_FRAME	0x20000
#define GICR_WAKER	0x0014
#define GICR_WAKER_PS	(1u << 1) /* ProcessorSleep */
#define GICR_WAKER_CA	(1u << 2) /* ChildrenAsleep */
#define GICR_SGI	0x10000
#define GICR_IGROUPR0	0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_IPRIORITYR 0x0400

#define PRIORITY     0xa0
#define SGI_KICK     1
#define PPI_VTIMER   27
#define PPI_PTIMER   30
#define SPURIOUS_MIN 1020
#define CNTP_ENABLE  (1ull << 0)
#define POLLS	     1000000

static volatile uint32_t *gicd;
static uintptr_t gicr_base;
static volatile unsigned ticks[HOST_CPUS];

static void wait_clear(volatile uint32_t *reg, uint32_t bit, const char *what)
{
	for (unsigned i = 0; *reg & bit; i++)
		CHECK(i < POLLS, "GIC: %s stays set", what);
}

/* This CPU's redistributor (RD_base): the frame whose GICR_TYPER names its affinity. */
static volatile uint32_t *my_gicr(void)
{
	uint64_t mpidr = read_sysreg(mpidr_el1), typer;
	uint64_t aff = ((mpidr >> 8) & 0xff000000ull) | (mpidr & 0xffffffull);

	for (uintptr_t r = gicr_base;; r += GICR_FRAME) {
		typer = *(volatile uint64_t *)(r + GICR_TYPER);
		if (typer >> 32 == aff)
			return (volatile uint32_t *)r;
		CHECK(!(typer & GICR_TYPER_LAST), "GIC: no redistributor for MPIDR 0x%lx", mpidr);
	}
}

void host_gic_init(uintptr_t gicd_addr, uintptr_t gicr_addr)
{
	gicd = (volatile uint32_t *)gicd_addr;
	gicr_base = gicr_addr;
	gicd[GICD_CTLR / 4] = 0;
	wait_clear(&gicd[GICD_CTLR / 4], GICD_CTLR_RWP, "GICD_CTLR.RWP");
	gicd[GICD_CTLR / 4] = GICD_CTLR_ARE | GICD_CTLR_GRP1;
	wait_clear(&gicd[GICD_CTLR / 4], GICD_CTLR_RWP, "GICD_CTLR.RWP");
	host_gic_cpu_init();
}

void host_gic_cpu_init(void)
{
	volatile uint32_t *gicr = my_gicr(), *gicr_sgi = gicr + GICR_SGI / 4;

	/* This CPU's redistributor awake; its SGIs and PPIs Group 1, one priority. */
	gicr[GICR_WAKER / 4] &= ~GICR_WAKER_PS;
	wait_clear(&gicr[GICR_WAKER / 4], GICR_WAKER_CA, "GICR_WAKER.ChildrenAsleep");
	gicr_sgi[GICR_ICENABLER0 / 4] = ~0u;
	wait_clear(&gicr[GICR_CTLR / 4], GICR_CTLR_RWP, "GICR_CTLR.RWP");
	gicr_sgi[GICR_IGROUPR0 / 4] = ~0u;
	for (unsigned i = 0; i < 8; i++)
		gicr_sgi[GICR_IPRIORITYR / 4 + i] = PRIORITY * 0x01010101u;
	gicr_sgi[GICR_ISENABLER0 / 4] = (1u << PPI_PTIMER) | (1u << PPI_VTIMER) | (1u << SGI_KICK);

	/* The CPU interface: system registers, every priority unmasked, Group 1 on. */
	write_sysreg(read_sysreg(icc_sre_el1) | 1, icc_sre_el1);
	isb();
	CHECK(read_sysreg(icc_sre_el1) & 1, "GIC: no system-register CPU interface at EL1");
	write_sysreg(0xff, icc_pmr_el1);
	write_sysreg(0, icc_bpr1_el1);
	write_sysreg(0, icc_ctlr_el1); /* EOImode 0: an EOI also deactivates */
	write_sysreg(1, icc_igrpen1_el1);
	write_sysreg(0, cntp_ctl_el0);
	isb();
}

/* The IRQ vector (host_exception): acknowledge and handle what is pending. */
void host_irq(void)
{
	for (;;) {
		uint64_t intid = read_sysreg(icc_iar1_el1) & 0xffffff;

		if (intid >= SPURIOUS_MIN)
			return;
		CHECK(intid == PPI_PTIMER || intid == SGI_KICK,
		      "an interrupt the host did not enable: INTID %lu", intid);
		if (intid == PPI_PTIMER) {
			write_sysreg(0, cntp_ctl_el0); /* the level drops; the scheduler rearms */
			isb();
			ticks[host_cpu()]++;
		}
		/* A kick only wakes the CPU: what it was for is in memory. */
		write_sysreg(intid, icc_eoir1_el1);
		isb();
	}
}

/* Take the interrupts pending now (the host otherwise runs with them masked). */
void host_irqs_take(void)
{
	__asm__ volatile("msr daifclr, #2\n\tisb\n\tmsr daifset, #2" : : : "memory");
}

uint64_t host_now(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

void host_slice_start(uint64_t us)
{
	write_sysreg(read_sysreg(cntfrq_el0) * us / 1000000, cntp_tval_el0);
	write_sysreg(CNTP_ENABLE, cntp_ctl_el0);
	isb();
}

void host_slice_stop(void)
{
	write_sysreg(0, cntp_ctl_el0);
	isb();
}

unsigned host_ticks(void)
{
	return ticks[host_cpu()];
}

void host_kick(unsigned cpu)
{
	/* ICC_SGI1R_EL1: INTID, Aff1 0 and the target in TargetList (Aff0 = the CPU's number). */
	dsb(ish); /* what the kick is about, before it */
	write_sysreg(((uint64_t)SGI_KICK << 24) | (1u << cpu), icc_sgi1r_el1);
	isb();
}

void host_sleep(uint64_t when)
{
	if (when != UINT64_MAX) {
		write_sysreg(when, cntp_cval_el0);
		write_sysreg(CNTP_ENABLE, cntp_ctl_el0);
		isb();
	}
	/* WFI with IRQs masked still wakes on a pending one (the tick, a kick); then take it. */
	if (host_now() < when)
		__asm__ volatile("wfi" : : : "memory");
	host_irqs_take();
	host_slice_stop();
}

void host_wait_until(uint64_t when)
{
	while (host_now() < when)
		host_sleep(when);
}
