/* SPDX-License-Identifier: Apache-2.0 */
/*
 * irq: virtual interrupts reach the guest, through a GICv3 programmed as a
 * bare-metal GICv3 guest programs one, so that any VMM giving it a GICv3
 * (pvm_layout.h: QEMU virt's addresses) can run it.
 *
 * 1. The distributor's Group 1 on (with affinity routing), the
 *    redistributor awake, PPI 27 (the virtual timer) in Group 1 at priority
 *    0xa0 and enabled there; the mailbox doorbell's SPI 48 configured in
 *    the distributor as a device's interrupt is: Group 1, edge-triggered,
 *    priority 0xa0, routed to this vCPU (GICD_IROUTER, from MPIDR_EL1),
 *    enabled; the CPU interface through its system registers
 *    (ICC_SRE_EL1.SRE, ICC_PMR_EL1, ICC_IGRPEN1_EL1).
 * 2. The virtual timer armed 2 ms ahead; WFI until the interrupt: ICC_IAR1_EL1
 *    must give 27, not before the deadline; the handler masks the timer
 *    (the level drops) and ends the interrupt with ICC_EOIR1_EL1.
 * 3. The doorbell rung for SPI 48: that interrupt must be taken, once: with
 *    IRQs unmasked again at once (no exit in between), nothing else may come
 *    (a hypervisor signalling it twice, by a list register and by
 *    HCR_EL2.VI, would give a second IRQ reading 1023).
 * 4. The doorbell again; this time the handler prints while the interrupt
 *    is active (MMIO exits: the guest leaves the CPU with an interrupt in
 *    flight) and then checks that its running priority is still the
 *    interrupt's, 0xa0: the hypervisor kept the interrupt active and its
 *    active priority across the exits.
 * 5. Nothing else pending (ICC_HPPIR1_EL1 reads 1023, spurious).
 *
 * Waiting is race-free: WFI with IRQs masked (a pending IRQ still ends it),
 * then an instant with them unmasked for the interrupt to be taken.
 */
#include "mmio.h"
#include "pvm_layout.h"
#include "runtime.h"
#include "uart.h"

#include <stdint.h>

#define GICD_CTLR	(PVM_LAYOUT_GICD_BASE + 0x0)
#define GICD_CTLR_RWP	(1u << 31)
#define GICD_CTLR_ARE	(1u << 4)
#define GICD_CTLR_GRP1	(1u << 1) /* one security state: EnableGrp1 */
#define GICR_WAKER	(PVM_LAYOUT_GICR_BASE + 0x14)
#define GICR_WAKER_PS	(1u << 1) /* ProcessorSleep */
#define GICR_WAKER_CA	(1u << 2) /* ChildrenAsleep */
#define GICR_SGI_BASE	(PVM_LAYOUT_GICR_BASE + PVM_LAYOUT_GICR_SGI)
#define GICR_IGROUPR0	(GICR_SGI_BASE + 0x080)
#define GICR_ISENABLER0 (GICR_SGI_BASE + 0x100)
#define GICR_IPRIORITYR (GICR_SGI_BASE + 0x400)
/* The distributor's registers for SPI n (one bit, two bits or a byte each; IROUTER 64-bit). */
#define GICD_IGROUPR(n)	   (PVM_LAYOUT_GICD_BASE + 0x080 + ((n) / 32) * 4)
#define GICD_ISENABLER(n)  (PVM_LAYOUT_GICD_BASE + 0x100 + ((n) / 32) * 4)
#define GICD_IPRIORITYR(n) (PVM_LAYOUT_GICD_BASE + 0x400 + ((n) / 4) * 4)
#define GICD_ICFGR(n)	   (PVM_LAYOUT_GICD_BASE + 0xc00 + ((n) / 16) * 4)
#define GICD_ICFGR_EDGE(n) (2u << (((n) % 16) * 2))
#define GICD_IROUTER(n)	   (PVM_LAYOUT_GICD_BASE + 0x6000 + (n)*8)
#define MPIDR_AFF	   0xff00ffffffull /* Aff3, Aff2, Aff1, Aff0: IROUTER's layout */
#define PRIORITY	   0xa0
#define TIMER		   PVM_LAYOUT_TIMER_PPI
#define DOORBELL	   PVM_LAYOUT_DOORBELL_SPI
#define SPURIOUS	   1023
#define POLLS		   1000
#define CNTV_ENABLE	   (1ul << 0)
#define CNTV_IMASK	   (1ul << 1)

#define sysreg_read(r)                                                                             \
	({                                                                                         \
		unsigned long __v;                                                                 \
		asm volatile("mrs %0, " #r : "=r"(__v));                                           \
		__v;                                                                               \
	})
#define sysreg_write(r, v) asm volatile("msr " #r ", %0" : : "r"((unsigned long)(v)) : "memory")
#define isb()		   asm volatile("isb" : : : "memory")

/* What the handler saw; written with IRQs masked, read after they were taken. */
static volatile unsigned long taken, last_intid, timer_early, doorbell_rpr;
/* Set by main: the doorbell's handler leaves the CPU before it ends the interrupt. */
static volatile unsigned long hold_active;

void irq_handle(void)
{
	unsigned long intid = sysreg_read(icc_iar1_el1) & 0xffffff;

	if (intid == TIMER) {
		/* Not before the deadline; then mask it, or it stays asserted. */
		isb();
		timer_early = sysreg_read(cntvct_el0) < sysreg_read(cntv_cval_el0);
		sysreg_write(cntv_ctl_el0, CNTV_ENABLE | CNTV_IMASK);
		isb();
	} else if (intid == DOORBELL && hold_active) {
		/* Leave the CPU (UART exits) with the interrupt active, then look. */
		uart_puts("irq: doorbell handler running\n");
		doorbell_rpr = sysreg_read(icc_rpr_el1);
	}
	last_intid = intid;
	taken = taken + 1;
	if (intid < 1020)
		sysreg_write(icc_eoir1_el1, intid);
	isb();
}

/* Unmask IRQs for an instant: how many were taken. */
static unsigned long take_pending(void)
{
	unsigned long before = taken;

	asm volatile("msr daifclr, #2\n\tisb\n\tmsr daifset, #2" : : : "memory");
	return taken - before;
}

/* Wait for the next interrupt; its INTID. */
static unsigned long wait_irq(void)
{
	unsigned long before = taken;

	while (taken == before) {
		asm volatile("wfi" : : : "memory");
		asm volatile("msr daifclr, #2\n\tisb\n\tmsr daifset, #2" : : : "memory");
	}
	return last_intid;
}

static int wait_clear(unsigned long reg, uint32_t bit)
{
	for (int i = 0; i < POLLS; i++)
		if (!(mmio_read32(reg) & bit))
			return 0;
	return -1;
}

static int gic_init(void)
{
	uint32_t ppis = 1u << TIMER, spi = 1u << (DOORBELL % 32);

	mmio_write32(GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
	if (wait_clear(GICD_CTLR, GICD_CTLR_RWP))
		return -1;
	mmio_write32(GICR_WAKER, 0);
	if (wait_clear(GICR_WAKER, GICR_WAKER_CA))
		return -1;
	mmio_write32(GICR_IGROUPR0, ppis);
	/* Four priority bytes a word: the words holding the doorbell's and the timer's. */
	/* Four priority bytes a word: the timer's word. */
	mmio_write32(GICR_IPRIORITYR + (TIMER / 4) * 4, PRIORITY * 0x01010101u);
	mmio_write32(GICR_ISENABLER0, ppis);

	/* The doorbell: configured first, enabled last, as a driver does. */
	mmio_write32(GICD_IGROUPR(DOORBELL), spi);
	mmio_write32(GICD_ICFGR(DOORBELL), GICD_ICFGR_EDGE(DOORBELL));
	mmio_write32(GICD_IPRIORITYR(DOORBELL), PRIORITY * 0x01010101u);
	mmio_write64(GICD_IROUTER(DOORBELL), sysreg_read(mpidr_el1) & MPIDR_AFF);
	mmio_write32(GICD_ISENABLER(DOORBELL), spi);

	sysreg_write(icc_sre_el1, sysreg_read(icc_sre_el1) | 1);
	isb();
	if (!(sysreg_read(icc_sre_el1) & 1))
		return -1;
	sysreg_write(icc_pmr_el1, 0xff);
	sysreg_write(icc_igrpen1_el1, 1);
	isb();
	return 0;
}

static void fail(const char *what, unsigned long v)
{
	uart_puts("irq: FAIL ");
	uart_puts(what);
	uart_putdec((long)v);
	uart_putc('\n');
}

int main(unsigned long dtb)
{
	unsigned long intid, n, freq = sysreg_read(cntfrq_el0);

	(void)dtb;
	uart_puts("irq: start\n");
	if (gic_init()) {
		uart_puts("irq: FAIL the GIC did not come up\n");
		return 0;
	}
	uart_puts("irq: gic on, cpu interface through system registers\n");

	sysreg_write(cntv_cval_el0, sysreg_read(cntvct_el0) + freq / 500);
	sysreg_write(cntv_ctl_el0, CNTV_ENABLE);
	isb();
	intid = wait_irq();
	if (intid != TIMER || timer_early)
		fail("timer: intid (early if 1000+) ", intid + 1000 * timer_early);
	else
		uart_puts("irq: virtual timer: intid 27, not before its deadline\n");

	mmio_write32(PVM_LAYOUT_MAILBOX_BASE + PVM_LAYOUT_MAILBOX_DOORBELL, DOORBELL);
	intid = wait_irq();
	n = take_pending();
	if (intid != DOORBELL || n)
		fail("doorbell: intid (interrupts after it: 1000 each) ", intid + 1000 * n);
	else
		uart_puts("irq: doorbell: intid 48, once\n");

	hold_active = 1;
	mmio_write32(PVM_LAYOUT_MAILBOX_BASE + PVM_LAYOUT_MAILBOX_DOORBELL, DOORBELL);
	intid = wait_irq();
	if (intid != DOORBELL)
		fail("doorbell: intid ", intid);
	else if (doorbell_rpr != PRIORITY)
		fail("doorbell: running priority in its handler ", doorbell_rpr);
	else
		uart_puts("irq: doorbell: intid 48, still active across exits\n");

	intid = sysreg_read(icc_hppir1_el1) & 0xffffff;
	if (intid != SPURIOUS)
		fail("still pending: intid ", intid);
	else
		uart_puts("irq: nothing else pending\n");
	uart_puts("irq: done\n");
	return 0;
}
