/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest's GICv3 virtual CPU interface and its virtual timer, as the
 * world switch (world.c) loads and saves them.
 *
 * Who owns what, as in pKVM: the host owns the physical GIC (distributor,
 * redistributor, its CPU interface through ICC_*_EL1 with HCR_EL2.IMO/FMO
 * clear) and its EL1 physical timer (CNTP, PPI 30). A guest runs with
 * IMO/FMO set: physical interrupts stop it (PVM_TRAP_IRQ), and its ICC_*
 * accesses reach the virtual CPU interface, which the hypervisor feeds
 * through the list registers: every INTID pending in ctx->virq (the host's
 * PVM_HC_VCPU_IRQ) and the guest's own virtual timer, PPI 27. The core's
 * HCR_EL2.VI is not used on this port (world.c clears it): a VI interrupt
 * would be a second, phantom IRQ whose ICV_IAR1_EL1 reads 1023.
 *
 * The virtual timer is the guest's hardware (CNTV_*, switched with the
 * other EL1 registers; CNTVOFF_EL2 is 0). When it fires, the timer's PPI 27
 * is asserted on the physical GIC. It is delivered as KVM delivers it: a
 * hardware-linked list register (HW = 1, pINTID 27), with the physical
 * PPI 27 made active in the redistributor before the guest runs. The
 * physical interrupt, level-sensitive and active, cannot fire again while
 * the guest handles the virtual one; when the guest deactivates virtual 27
 * (its EOI), the GIC deactivates physical 27 too, and a timer still
 * asserted then fires again, as it would on bare metal. The alternative, a
 * software list register with CNTV_CTL_EL0.IMASK set behind the guest's
 * back until it acknowledges, changes a register the guest can read, and
 * needs an exit to learn of the EOI: the linked one is what the hardware
 * was built for. Its cost: the hypervisor writes the active bit of PPI 27
 * (only that bit) in the redistributor of this CPU, the one thing of the
 * host's GIC it touches.
 *
 * Every CPU has its own redistributor, CPU interface, list registers and
 * timers: each CPU finds its redistributor at boot (the frame whose
 * GICR_TYPER names its affinity) and keeps it in its struct el2_cpu; the
 * list registers and the active bit of PPI 27 it writes are that CPU's.
 */
#include <libpvm/vcpu.h>

#include "el2.h"
#include "print.h"

/* ICH_LR<n>_EL2 */
#define LR_VINTID     0xffffffffull
#define LR_PINTID(i)  ((uint64_t)(i) << 32)
#define LR_PRIO(p)    ((uint64_t)(p) << 48)
#define LR_GROUP1     (1ull << 60)
#define LR_HW	      (1ull << 61)
#define LR_PENDING    (1ull << 62)
#define LR_ACTIVE     (1ull << 63)
#define LR_STATE      (LR_PENDING | LR_ACTIVE)
#define ICH_HCR_EN    (1ull << 0)
#define VIRQ_PRIORITY 0xa0 /* what GICv3 drivers program (Linux's default) */

/* CNTV_CTL_EL0 */
#define CNTV_ENABLE  (1ull << 0)
#define CNTV_IMASK   (1ull << 1)
#define CNTV_ISTATUS (1ull << 2)
#define TIMER_PPI    27

/* The redistributor's SGI/PPI frame (64 KiB after RD_base). */
#define GICR_TYPER	 0x0008
#define GICR_TYPER_VLPIS (1ull << 1) /* GICv4: two more 64 KiB frames per redistributor */
#define GICR_TYPER_LAST	 (1ull << 4)
#define GICR_FRAME	 0x20000 /* RD_base and SGI_base */
#define GICR_SGI	 0x10000
#define GICR_ISACTIVER0	 0x300
#define GICR_ICACTIVER0	 0x380
#define ICC_SRE_SRE	 (1ull << 0)
#define ICC_SRE_DFB	 (1ull << 1)
#define ICC_SRE_DIB	 (1ull << 2)
#define ICC_SRE_ENABLE	 (1ull << 3)

static unsigned nr_lr, nr_apr; /* the same on every CPU (checked) */

/*
 * The system registers are named by the instruction: one case per index.
 * Reads (write false) return the register, writes return v.
 */
#define SYSREG_CASE(n, reg)                                                                        \
	case n:                                                                                    \
		if (write)                                                                         \
			write_sysreg(v, reg);                                                      \
		else                                                                               \
			v = read_sysreg(reg);                                                      \
		break

/* ICH_LR<n>_EL2. */
static uint64_t lr_access(unsigned n, bool write, uint64_t v)
{
	switch (n) {
		SYSREG_CASE(0, ich_lr0_el2);
		SYSREG_CASE(1, ich_lr1_el2);
		SYSREG_CASE(2, ich_lr2_el2);
		SYSREG_CASE(3, ich_lr3_el2);
		SYSREG_CASE(4, ich_lr4_el2);
		SYSREG_CASE(5, ich_lr5_el2);
		SYSREG_CASE(6, ich_lr6_el2);
		SYSREG_CASE(7, ich_lr7_el2);
		SYSREG_CASE(8, ich_lr8_el2);
		SYSREG_CASE(9, ich_lr9_el2);
		SYSREG_CASE(10, ich_lr10_el2);
		SYSREG_CASE(11, ich_lr11_el2);
		SYSREG_CASE(12, ich_lr12_el2);
		SYSREG_CASE(13, ich_lr13_el2);
		SYSREG_CASE(14, ich_lr14_el2);
		SYSREG_CASE(15, ich_lr15_el2);
	}
	return v;
}

/* Active priorities: ICH_AP0R<n>_EL2 (n 0..3) and ICH_AP1R<n - 4>_EL2 (n 4..7). */
static uint32_t apr_access(unsigned n, bool write, uint32_t v)
{
	switch (n) {
		SYSREG_CASE(0, ich_ap0r0_el2);
		SYSREG_CASE(1, ich_ap0r1_el2);
		SYSREG_CASE(2, ich_ap0r2_el2);
		SYSREG_CASE(3, ich_ap0r3_el2);
		SYSREG_CASE(4, ich_ap1r0_el2);
		SYSREG_CASE(5, ich_ap1r1_el2);
		SYSREG_CASE(6, ich_ap1r2_el2);
		SYSREG_CASE(7, ich_ap1r3_el2);
	}
	return v;
}

/* The redistributor of this CPU in [gicr, gicr + size): its SGI/PPI frame, or NULL. */
static volatile uint32_t *my_redistributor(uint64_t gicr, uint64_t size)
{
	uint64_t mpidr = read_sysreg(mpidr_el1), off = 0, typer;
	uint64_t aff = ((mpidr >> 8) & 0xff000000ull) | (mpidr & 0xffffffull);

	while (off + GICR_FRAME <= size) {
		typer = *(volatile uint64_t *)(uintptr_t)(gicr + off + GICR_TYPER);
		if (typer >> 32 == aff)
			return (volatile uint32_t *)(uintptr_t)(gicr + off + GICR_SGI);
		if (typer & GICR_TYPER_LAST)
			break;
		off += (typer & GICR_TYPER_VLPIS) ? 2 * GICR_FRAME : GICR_FRAME;
	}
	return NULL;
}

void el2_vgic_init(struct el2_cpu *c, uint64_t gicr, uint64_t size)
{
	unsigned lrs, aprs;
	uint64_t vtr;

	/*
	 * The system-register interface at EL2 (the ICH_* registers need it),
	 * and EL1 may program its own ICC_SRE_EL1 (Enable) without a trap.
	 */
	write_sysreg(ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB | ICC_SRE_ENABLE, icc_sre_el2);
	isb();
	if (!(read_sysreg(icc_sre_el2) & ICC_SRE_SRE))
		el2_panic("GICv3: no system-register interface at EL2 (ICC_SRE_EL2 0x%lx)",
			  read_sysreg(icc_sre_el2));
	vtr = read_sysreg(ich_vtr_el2);
	lrs = (unsigned)(vtr & 0x1f) + 1;
	/* PREbits + 1 preemption bits: 5 -> 1 register per group, 6 -> 2, 7 -> 4. */
	aprs = ((vtr >> 26) & 7) >= 4 ? 1u << (((vtr >> 26) & 7) - 4) : 0;
	if (lrs > PVM_VGIC_LR_MAX || !aprs || aprs > 4 ||
	    (nr_lr && (lrs != nr_lr || aprs != nr_apr)))
		el2_panic("GICv3: ICH_VTR_EL2 0x%lx out of range or not the boot CPU's", vtr);
	nr_lr = lrs;
	nr_apr = aprs;
	write_sysreg(0, ich_hcr_el2);
	write_sysreg(0, ich_vmcr_el2);
	for (unsigned i = 0; i < nr_lr; i++)
		(void)lr_access(i, true, 0);
	c->gicr_sgi = my_redistributor(gicr, size);
	if (!c->gicr_sgi)
		el2_panic("GICv3: no redistributor for MPIDR 0x%lx", read_sysreg(mpidr_el1));
	if (!c->index)
		print("el2: GICv3 virtual CPU interface: %u list registers, %u active-priority "
		      "registers per group\n",
		      nr_lr, nr_apr);
}

/* The list register holding vINTID, or -1. */
static int lr_find(const struct pvm_vgic_state *v, unsigned intid)
{
	for (unsigned i = 0; i < v->nr_lr; i++)
		if ((v->lr[i] & LR_VINTID) == intid)
			return (int)i;
	return -1;
}

/* Make vINTID pending (hw: linked to the same physical PPI). False: no list register free. */
static bool lr_pend(struct pvm_vgic_state *v, unsigned intid, bool hw)
{
	int i = lr_find(v, intid);

	if (i >= 0) {
		/* Pending again while active (edge): pending and active. A linked one is level. */
		if (!(v->lr[i] & LR_HW))
			v->lr[i] |= LR_PENDING;
		return true;
	}
	if (v->nr_lr >= nr_lr)
		return false;
	v->lr[v->nr_lr++] = intid | LR_PRIO(VIRQ_PRIORITY) | LR_GROUP1 | LR_PENDING |
			    (hw ? LR_HW | LR_PINTID(intid) : 0);
	return true;
}

static void lr_drop(struct pvm_vgic_state *v, int i)
{
	v->lr[i] = v->lr[--v->nr_lr];
}

/* Is the guest's virtual timer asserting its interrupt? (Its CNTV_* are loaded.) */
static bool timer_asserted(void)
{
	uint64_t ctl = read_sysreg(cntv_ctl_el0);

	return (ctl & (CNTV_ENABLE | CNTV_IMASK | CNTV_ISTATUS)) == (CNTV_ENABLE | CNTV_ISTATUS);
}

void el2_vgic_load(struct pvm_vcpu_ctx *ctx)
{
	struct pvm_vgic_state *v = &ctx->vgic;
	bool timer = timer_asserted(), hold;
	int t;
	unsigned i;

	/* The host's injections: each leaves the bitmap once a list register holds it. */
	for (i = 0; i < 4; i++) {
		uint32_t bits = __atomic_load_n(&ctx->virq[i], __ATOMIC_ACQUIRE);

		while (bits) {
			unsigned b = (unsigned)__builtin_ctz(bits);

			bits &= bits - 1;
			/* No list register free: it stays pending for a later entry. */
			if (!lr_pend(v, i * 32 + b, false))
				break;
			__atomic_fetch_and(&ctx->virq[i], ~(1u << b), __ATOMIC_ACQ_REL);
		}
	}
	/*
	 * The timer is level-sensitive: pending while asserted. A linked list
	 * register still only pending for a timer the guest has since
	 * reprogrammed or masked is retired, as the line went down.
	 */
	t = lr_find(v, TIMER_PPI);
	if (t >= 0 && (v->lr[t] & LR_HW) && (v->lr[t] & LR_STATE) == LR_PENDING && !timer)
		lr_drop(v, t);
	if (timer)
		(void)lr_pend(v, TIMER_PPI, true);
	/*
	 * Physical PPI 27 is active while a linked virtual 27 is in flight, and
	 * also while the timer asserts it without one: every list register
	 * taken (interrupts the guest holds active), or the slot held by a
	 * software 27 the host injected. Inactive then, the asserted line would
	 * fire at once and again at every entry, an IRQ that stops the guest
	 * before its first instruction and that el2_vgic_timer_irq() calls the
	 * guest's own: the hypervisor would resume it forever, with its
	 * interrupts masked, and the host would never get its CPU back. Held
	 * active, the timer waits for a list register at a later entry.
	 */
	t = lr_find(v, TIMER_PPI);
	hold = timer || (t >= 0 && (v->lr[t] & LR_HW));
	el2_this_cpu()->gicr_sgi[(hold ? GICR_ISACTIVER0 : GICR_ICACTIVER0) / 4] = 1u << TIMER_PPI;
	dsb(sy);

	for (i = 0; i < nr_lr; i++)
		(void)lr_access(i, true, i < v->nr_lr ? v->lr[i] : 0);
	for (i = 0; i < nr_apr; i++) {
		(void)apr_access(i, true, v->ap0r[i]);
		(void)apr_access(4 + i, true, v->ap1r[i]);
	}
	write_sysreg(v->vmcr, ich_vmcr_el2);
	write_sysreg(ICH_HCR_EN, ich_hcr_el2);
	isb();
}

void el2_vgic_save(struct pvm_vcpu_ctx *ctx)
{
	struct pvm_vgic_state *v = &ctx->vgic;
	unsigned i, n = 0;

	for (i = 0; i < v->nr_lr; i++) {
		uint64_t lr = lr_access(i, false, 0);

		/* Taken and deactivated by the guest: done. Pending or active: kept. */
		if (lr & LR_STATE)
			v->lr[n++] = lr;
	}
	v->nr_lr = n;
	for (i = 0; i < nr_apr; i++) {
		v->ap0r[i] = apr_access(i, false, 0);
		v->ap1r[i] = apr_access(4 + i, false, 0);
	}
	v->vmcr = (uint32_t)read_sysreg(ich_vmcr_el2);
	write_sysreg(0, ich_hcr_el2);
	isb();
}

bool el2_vgic_timer_irq(void)
{
	/*
	 * A physical IRQ stopped the guest: if it is the guest's own timer
	 * (the highest pending interrupt is PPI 27 and the guest's timer
	 * asserts it), the hypervisor delivers it and resumes the guest; the
	 * host has nothing to do. Any other interrupt is the host's.
	 */
	uint64_t id = read_sysreg(icc_hppir1_el1) & 0xffffff;

	return id == TIMER_PPI && timer_asserted();
}
