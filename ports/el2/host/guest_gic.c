/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A guest's GICv3 distributor and redistributors, as far as the sample
 * guests program them (samples/guests/irq.c), emulated by the host on MMIO
 * exits at QEMU virt's addresses (pvm_layout.h). The guest's CPU interface
 * is the hardware's (the hypervisor's list registers); what is emulated
 * here decides which interrupts the host injects with PVM_HC_VCPU_IRQ: an
 * interrupt raised by a device of the host (the mailbox doorbell) stays
 * pending here until the guest has enabled the distributor's Group 1, put
 * the interrupt in Group 1 and enabled it, as a GIC would keep it.
 *
 * Emulated: GICD_CTLR; per vCPU GICR_WAKER, GICR_IGROUPR0, GICR_ISENABLER0,
 * GICR_ICENABLER0 and GICR_IPRIORITYR0..7, 32-bit accesses only. Anything
 * else in the GIC's windows gets an abort. The virtual timer's PPI 27 is
 * delivered by the hypervisor whatever its enable bit here says (the
 * hypervisor does not see this emulation): a guest that keeps it disabled
 * must keep its timer disabled too.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "hvc.h"
#include "pvm_layout.h"

#include <libpvm/abi.h>

#define GICD_CTLR	    0x0000
#define GICD_CTLR_ARE	    (1u << 4)
#define GICD_CTLR_GRP1	    (1u << 1) /* single security state: EnableGrp1 */
#define GICD_CTLR_MASK	    (GICD_CTLR_ARE | GICD_CTLR_GRP1 | 1u)
#define GICR_WAKER	    0x0014
#define GICR_WAKER_PS	    (1u << 1)
#define GICR_IGROUPR0	    (PVM_LAYOUT_GICR_SGI + 0x0080)
#define GICR_ISENABLER0	    (PVM_LAYOUT_GICR_SGI + 0x0100)
#define GICR_ICENABLER0	    (PVM_LAYOUT_GICR_SGI + 0x0180)
#define GICR_IPRIORITYR	    (PVM_LAYOUT_GICR_SGI + 0x0400)
#define GICR_IPRIORITYR_END (GICR_IPRIORITYR + 32)

static struct {
	uint64_t vm;
	uint32_t ctlr;
	struct {
		uint32_t waker, group, enable, pending;
		uint32_t priority[8];
	} cpu[GUEST_GIC_CPUS];
} gic;

void guest_gic_reset(uint64_t vm)
{
	for (unsigned i = 0; i < sizeof(gic); i++)
		((volatile uint8_t *)&gic)[i] = 0;
	gic.vm = vm;
	for (unsigned c = 0; c < GUEST_GIC_CPUS; c++)
		gic.cpu[c].waker = GICR_WAKER_PS; /* asleep out of reset */
}

/* Inject what is pending and deliverable; true if anything was. */
static bool deliver(unsigned cpu)
{
	uint32_t ready = gic.cpu[cpu].pending & gic.cpu[cpu].enable & gic.cpu[cpu].group;
	int64_t ret;

	if (!(gic.ctlr & GICD_CTLR_GRP1) || !ready)
		return false;
	for (unsigned intid = 0; intid < 32; intid++) {
		if (!(ready & (1u << intid)))
			continue;
		ret = hvc(PVM_HC_VCPU_IRQ, gic.vm, cpu, intid, 0, 0, 0, NULL);
		CHECK(ret == 0, "PVM_HC_VCPU_IRQ vCPU %u INTID %u: %ld", cpu, intid, ret);
		gic.cpu[cpu].pending &= ~(1u << intid);
	}
	return true;
}

bool guest_gic_raise(unsigned cpu, unsigned intid)
{
	if (cpu >= GUEST_GIC_CPUS || intid >= 32)
		return false;
	gic.cpu[cpu].pending |= 1u << intid;
	return deliver(cpu);
}

static bool dist(uint64_t off, bool write, uint64_t *data)
{
	if (off != GICD_CTLR)
		return false;
	if (write)
		gic.ctlr = (uint32_t)*data & GICD_CTLR_MASK;
	else
		*data = gic.ctlr; /* RWP clear: writes take effect at once */
	return true;
}

/* One redistributor register; *woke: an interrupt became deliverable. */
static bool redist(unsigned cpu, uint64_t off, bool write, uint64_t *data, bool *woke)
{
	uint32_t v = (uint32_t)*data, *reg;

	if (off == GICR_WAKER)
		reg = &gic.cpu[cpu].waker;
	else if (off == GICR_IGROUPR0)
		reg = &gic.cpu[cpu].group;
	else if (off == GICR_ISENABLER0 || off == GICR_ICENABLER0)
		reg = &gic.cpu[cpu].enable;
	else if (off >= GICR_IPRIORITYR && off < GICR_IPRIORITYR_END)
		reg = &gic.cpu[cpu].priority[(off - GICR_IPRIORITYR) / 4];
	else
		return false;
	if (!write) {
		/* WAKER.ChildrenAsleep follows ProcessorSleep at once. */
		*data = off == GICR_WAKER ? (*reg & GICR_WAKER_PS) * 3 : *reg;
		return true;
	}
	if (off == GICR_ISENABLER0)
		*reg |= v;
	else if (off == GICR_ICENABLER0)
		*reg &= ~v;
	else
		*reg = off == GICR_WAKER ? v & GICR_WAKER_PS : v;
	*woke = deliver(cpu);
	return true;
}

bool guest_gic_mmio(uint64_t ipa, bool write, unsigned size, uint64_t *data, bool *handled,
		    bool *woke)
{
	uint64_t rd = PVM_LAYOUT_GICR_BASE, off;
	unsigned cpu;

	*woke = false;
	if (ipa >= PVM_LAYOUT_GICD_BASE && ipa < PVM_LAYOUT_GICD_BASE + PVM_LAYOUT_GICD_SIZE) {
		*handled = size == 4 && dist(ipa - PVM_LAYOUT_GICD_BASE, write, data);
		if (*handled && write)
			for (cpu = 0; cpu < GUEST_GIC_CPUS; cpu++)
				*woke |= deliver(cpu);
		return true;
	}
	if (ipa < rd || ipa >= rd + GUEST_GIC_CPUS * PVM_LAYOUT_GICR_STRIDE)
		return false;
	cpu = (unsigned)((ipa - rd) / PVM_LAYOUT_GICR_STRIDE);
	off = (ipa - rd) % PVM_LAYOUT_GICR_STRIDE;
	*handled = size == 4 && redist(cpu, off, write, data, woke);
	return true;
}
