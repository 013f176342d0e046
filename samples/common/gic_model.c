/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A guest's GICv3 distributor and redistributors (gic_model.h): one
 * security state (GICD_CTLR.DS behaviour: Group 1 is EnableGrp1), affinity
 * routing (ARE) for SPIs, INTIDs up to 127.
 *
 * Emulated, 32-bit accesses unless said:
 *  - distributor: GICD_CTLR (RWP reads 0: writes take effect at once),
 *    GICD_TYPER (read-only), and for the SPIs GICD_IGROUPR<n>,
 *    GICD_ISENABLER<n>/ICENABLER<n>, GICD_IPRIORITYR<n>, GICD_ICFGR<n>
 *    (Int_config[1]: edge) and GICD_IROUTER<n> (64-bit, or either 32-bit
 *    half); the SGI/PPI words of those registers are RAZ/WI (with ARE they
 *    are the redistributors');
 *  - each redistributor: GICR_WAKER (ChildrenAsleep follows ProcessorSleep
 *    at once), GICR_TYPER (read-only, 64-bit or halves), GICR_IGROUPR0,
 *    GICR_ISENABLER0/ICENABLER0, GICR_IPRIORITYR0..7, GICR_ICFGR0/1
 *    (SGIs edge, PPIs level: read-only, as KVM fixes them);
 *  - what Linux's irq-gic-v3 driver reads and writes besides: GICD_TYPER2
 *    (zero), GICD_PIDR2
 *    and each GICR_PIDR2 (ArchRev 3), GICD_IIDR and GICR_IIDR (Arm),
 *    GICD_ISPENDR<n>/ICPENDR<n> (the SPIs' pending latches), byte accesses
 *    to GICD_IPRIORITYR<n> and GICR_IPRIORITYR<n>, and RAZ/WI: the active
 *    state in GICD_ISACTIVER<n>/ICACTIVER<n> and the SGI frame (the CPU
 *    interface's, in the list registers), the SGI/PPI pending registers,
 *    GICD_IGRPMODR<n>, GICD_NSACR<n>, GICR_IGRPMODR0, GICR_NSACR (the
 *    Secure state's) and GICR_CTLR (no LPIs).
 * Anything else in the windows is refused (the guest gets an abort).
 *
 * Pending state is the distributor's for SPIs only: a device's edge
 * latches an edge-triggered SPI, and a latched SPI leaves the distributor
 * for a vCPU's CPU interface once delivered (gic_model_next()). A
 * level-sensitive SPI does not latch an edge, as on every GIC. PPIs are
 * the hypervisor's (the virtual timer's 27): the redistributor's enable,
 * group and priority are kept and read back, and the timer is delivered by
 * the CPU interface whatever they say (a guest that keeps PPI 27 disabled
 * keeps its timer disabled too).
 */
#include "gic_model.h"

#include "pvm_layout.h"

#define GICD_CTLR_MASK	(1u << 4 | 1u << 1 | 1u) /* ARE, EnableGrp1, EnableGrp0 */
#define GICD_CTLR_ARE	(1u << 4)
#define GICD_CTLR_GRP1	(1u << 1)
#define GICD_TYPER_OFF	0x0004
#define GICD_IIDR	0x0008
#define GICD_TYPER2	0x000c /* RAZ: no vPEs, no extended SPIs beyond TYPER's */
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_ICENABLER	0x0180
#define GICD_ISPENDR	0x0200
#define GICD_ICPENDR	0x0280
#define GICD_ISACTIVER	0x0300
#define GICD_ICACTIVER	0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_IGRPMODR	0x0d00
#define GICD_NSACR	0x0e00
#define GIC_PIDR2	0xffe8 /* in the distributor's and each RD_base frame */
#define GIC_PIDR2_V3	0x3b   /* ArchRev 3 (bits 7:4), JEP106 Arm (its 3:0) */
#define GIC_IIDR_ARM	0x43b  /* Implementer: Arm's JEP106 code; ProductID, Revision 0 */
#define GICD_ICFGR	0x0c00
#define GICD_IROUTER	0x6000
#define IROUTER_MASK	0xff800000ffffffffull /* Aff3, IRM, Aff2, Aff1, Aff0 */
#define IROUTER_IRM	(1ull << 31)
#define GICR_CTLR	0x0000
#define GICR_IIDR	0x0004
#define GICR_TYPER	0x0008
#define GICR_WAKER	0x0014
#define GICR_WAKER_PS	(1u << 1)
#define GICR_IGROUPR0	(PVM_LAYOUT_GICR_SGI + 0x0080)
#define GICR_ISENABLER0 (PVM_LAYOUT_GICR_SGI + 0x0100)
#define GICR_ICENABLER0 (PVM_LAYOUT_GICR_SGI + 0x0180)
#define GICR_ISPENDR0	(PVM_LAYOUT_GICR_SGI + 0x0200)
#define GICR_ICACTIVER0 (PVM_LAYOUT_GICR_SGI + 0x0380)
#define GICR_IGRPMODR0	(PVM_LAYOUT_GICR_SGI + 0x0d00)
#define GICR_NSACR	(PVM_LAYOUT_GICR_SGI + 0x0e00)
#define GICR_IPRIORITYR (PVM_LAYOUT_GICR_SGI + 0x0400)
#define GICR_ICFGR0	(PVM_LAYOUT_GICR_SGI + 0x0c00)
#define GICR_ICFGR1	(PVM_LAYOUT_GICR_SGI + 0x0c04)
#define SGI_CFG_EDGE	0xaaaaaaaau
#define SPI_FIRST	32u
/* Int_config[1] of each two-bit field: the writable, "edge" bit. */
#define ICFGR_EDGE_BITS 0xaaaaaaaau

void gic_model_reset(struct gic_model *g, unsigned ncpus)
{
	unsigned i;

	/* Byte by byte: the EL2 host program has no memset. */
	for (i = 0; i < sizeof(*g); i++)
		((volatile uint8_t *)g)[i] = 0;
	g->ncpus = ncpus < 1 ? 1 : ncpus > GIC_MODEL_CPUS ? GIC_MODEL_CPUS : ncpus;
	for (i = 0; i < GIC_MODEL_CPUS; i++)
		g->cpu[i].waker = GICR_WAKER_PS; /* asleep out of reset */
}

/* A 32-bit bitmap register of the SPIs: set (ISENABLER), clear (ICENABLER) or plain. */
enum bits_op { B_PLAIN, B_SET, B_CLEAR };

static void bits(uint32_t *reg, bool write, enum bits_op op, uint64_t *data)
{
	uint32_t v = (uint32_t)*data;

	if (!write)
		*data = *reg;
	else if (op == B_SET)
		*reg |= v;
	else if (op == B_CLEAR)
		*reg &= ~v;
	else
		*reg = v;
}

/* Four priority bytes (or two-bit fields) as one word. */
static void bytes4(uint8_t *p, bool write, uint64_t *data)
{
	unsigned i;

	if (!write) {
		*data = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			(uint32_t)p[3] << 24;
		return;
	}
	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(*data >> (8 * i));
}

/* GICD_IROUTER<n>: 64-bit, or one 32-bit half. */
static bool irouter(struct gic_model *g, uint64_t off, bool write, unsigned size, uint64_t *data)
{
	unsigned intid = (unsigned)((off - GICD_IROUTER) / 8), shift = (off & 4) ? 32 : 0;
	uint64_t *r = &g->route[intid], mask = size == 8 ? ~0ull : 0xffffffffull << shift;

	if (intid < SPI_FIRST || intid >= GIC_MODEL_IRQS || (size == 8 && (off & 7)))
		return false;
	if (!write)
		*data = size == 8 ? *r : (uint32_t)(*r >> shift);
	else
		*r = ((*r & ~mask) | ((size == 8 ? *data : *data << shift) & mask)) & IROUTER_MASK;
	return true;
}

static bool dist(struct gic_model *g, uint64_t off, bool write, unsigned size, uint64_t *data)
{
	unsigned w = (unsigned)(off & 0x7f) / 4;

	if (off >= GICD_IROUTER && off < GICD_IROUTER + 8 * GIC_MODEL_IRQS)
		return (size == 4 || size == 8) && irouter(g, off, write, size, data);
	if (size == 1 && off >= GICD_IPRIORITYR + SPI_FIRST &&
	    off < GICD_IPRIORITYR + GIC_MODEL_IRQS) {
		/* Byte-accessible (Linux sets one interrupt's priority so). */
		if (write)
			g->priority[off - GICD_IPRIORITYR] = (uint8_t)*data;
		else
			*data = g->priority[off - GICD_IPRIORITYR];
		return true;
	}
	if (size != 4)
		return false;
	if (off == GIC_PIDR2 || off == GICD_IIDR || off == GICD_TYPER2) {
		/* Identification: a GICv3 (Linux's driver checks PIDR2.ArchRev). */
		if (!write)
			*data = off == GIC_PIDR2   ? GIC_PIDR2_V3
				: off == GICD_IIDR ? GIC_IIDR_ARM
						   : 0;
		return true;
	}
	if ((off >= GICD_ISPENDR && off < GICD_ISPENDR + GIC_MODEL_IRQS / 8) ||
	    (off >= GICD_ICPENDR && off < GICD_ICPENDR + GIC_MODEL_IRQS / 8)) {
		/* An SPI's pending latch: set as a device's edge would, or cleared. */
		if (w == 0 || !write) {
			if (!write)
				*data = w ? g->pending[w] : 0;
			return true;
		}
		bits(&g->pending[w], true, off < GICD_ICPENDR ? B_SET : B_CLEAR, data);
		return true;
	}
	if ((off >= GICD_ISACTIVER && off < GICD_ISACTIVER + GIC_MODEL_IRQS / 8) ||
	    (off >= GICD_ICACTIVER && off < GICD_ICACTIVER + GIC_MODEL_IRQS / 8) ||
	    (off >= GICD_IGRPMODR && off < GICD_IGRPMODR + GIC_MODEL_IRQS / 8) ||
	    (off >= GICD_NSACR && off < GICD_NSACR + GIC_MODEL_IRQS / 4)) {
		/*
		 * Active state is the CPU interface's (the list registers): none
		 * here. Group modifiers and non-secure access: Secure state's,
		 * RAZ/WI from the guest's Non-secure view.
		 */
		if (!write)
			*data = 0;
		return true;
	}
	if (off == 0) {
		if (write)
			g->ctlr = (uint32_t)*data & GICD_CTLR_MASK;
		else
			*data = g->ctlr;
		return true;
	}
	if (off == GICD_TYPER_OFF) {
		/* ITLinesNumber: 32 * (n + 1) INTIDs; IDbits: 16 bits of INTID. */
		if (!write)
			*data = (GIC_MODEL_IRQS / 32 - 1) | 15u << 19;
		return true;
	}
	if ((off >= GICD_IGROUPR && off < GICD_IGROUPR + GIC_MODEL_IRQS / 8) ||
	    (off >= GICD_ISENABLER && off < GICD_ISENABLER + GIC_MODEL_IRQS / 8) ||
	    (off >= GICD_ICENABLER && off < GICD_ICENABLER + GIC_MODEL_IRQS / 8)) {
		if (w == 0) { /* SGIs and PPIs: the redistributors' */
			if (!write)
				*data = 0;
			return true;
		}
		if (off < GICD_ISENABLER)
			bits(&g->group[w], write, B_PLAIN, data);
		else
			bits(&g->enable[w], write, off < GICD_ICENABLER ? B_SET : B_CLEAR, data);
		return true;
	}
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + GIC_MODEL_IRQS) {
		if (off - GICD_IPRIORITYR < SPI_FIRST) {
			if (!write)
				*data = 0;
		} else {
			bytes4(&g->priority[off - GICD_IPRIORITYR], write, data);
		}
		return true;
	}
	if (off >= GICD_ICFGR && off < GICD_ICFGR + GIC_MODEL_IRQS / 4) {
		w = (unsigned)(off - GICD_ICFGR) / 4;
		if (w < SPI_FIRST / 16) {
			if (!write)
				*data = w ? 0 : SGI_CFG_EDGE;
		} else if (write) {
			g->cfg[w] = (uint32_t)*data & ICFGR_EDGE_BITS;
		} else {
			*data = g->cfg[w];
		}
		return true;
	}
	return false;
}

static bool redist(struct gic_model *g, unsigned cpu, uint64_t off, bool write, unsigned size,
		   uint64_t *data)
{
	uint64_t typer;

	if (off == GICR_TYPER || off == GICR_TYPER + 4) {
		/* Affinity Aff0 = the vCPU; Processor_Number; Last. */
		typer = (uint64_t)cpu << 32 | (uint64_t)cpu << 8 |
			(cpu == g->ncpus - 1 ? 1ull << 4 : 0);
		if (write || (size == 8 && off != GICR_TYPER) || (size != 8 && size != 4))
			return false;
		*data = size == 8 ? typer : (uint32_t)(typer >> (off == GICR_TYPER ? 0 : 32));
		return true;
	}
	if (size == 1 && off >= GICR_IPRIORITYR && off < GICR_IPRIORITYR + 32) {
		if (write)
			g->cpu[cpu].priority[off - GICR_IPRIORITYR] = (uint8_t)*data;
		else
			*data = g->cpu[cpu].priority[off - GICR_IPRIORITYR];
		return true;
	}
	if (size != 4)
		return false;
	if (off == GIC_PIDR2 || off == GICR_IIDR) {
		if (write)
			return false;
		*data = off == GIC_PIDR2 ? GIC_PIDR2_V3 : GIC_IIDR_ARM;
	} else if (off == GICR_CTLR || off == GICR_ISPENDR0 || off == GICR_ISPENDR0 + 0x80 ||
		   off == GICR_ICACTIVER0 || off == GICR_ICACTIVER0 - 0x80 ||
		   off == GICR_IGRPMODR0 || off == GICR_NSACR) {
		/*
		 * No LPIs (GICR_CTLR); SGI and PPI pending and active state is the
		 * CPU interface's (ISPENDR0, ICPENDR0, ISACTIVER0, ICACTIVER0); group
		 * modifier, non-secure access: Secure state's. RAZ/WI.
		 */
		if (!write)
			*data = 0;
	} else if (off == GICR_WAKER) {
		/* ChildrenAsleep (bit 2) follows ProcessorSleep at once. */
		if (write)
			g->cpu[cpu].waker = (uint32_t)*data & GICR_WAKER_PS;
		else
			*data = g->cpu[cpu].waker * 3;
	} else if (off == GICR_IGROUPR0) {
		bits(&g->cpu[cpu].group, write, B_PLAIN, data);
	} else if (off == GICR_ISENABLER0 || off == GICR_ICENABLER0) {
		bits(&g->cpu[cpu].enable, write, off == GICR_ISENABLER0 ? B_SET : B_CLEAR, data);
	} else if (off >= GICR_IPRIORITYR && off < GICR_IPRIORITYR + 32) {
		bytes4(&g->cpu[cpu].priority[off - GICR_IPRIORITYR], write, data);
	} else if (off == GICR_ICFGR0 || off == GICR_ICFGR1) {
		/* SGIs edge, PPIs level (the timer's); writes ignored. */
		if (!write)
			*data = off == GICR_ICFGR0 ? SGI_CFG_EDGE : 0;
	} else {
		return false;
	}
	return true;
}

bool gic_model_mmio(struct gic_model *g, uint64_t ipa, bool write, unsigned size, uint64_t *data,
		    bool *handled)
{
	uint64_t rd = PVM_LAYOUT_GICR_BASE, off;
	unsigned cpu;

	if (ipa >= PVM_LAYOUT_GICD_BASE && ipa < PVM_LAYOUT_GICD_BASE + PVM_LAYOUT_GICD_SIZE) {
		off = ipa - PVM_LAYOUT_GICD_BASE;
		*handled = !(off & (size - 1)) && dist(g, off, write, size, data);
		return true;
	}
	if (ipa < rd || ipa >= rd + GIC_MODEL_CPUS * PVM_LAYOUT_GICR_STRIDE)
		return false;
	cpu = (unsigned)((ipa - rd) / PVM_LAYOUT_GICR_STRIDE);
	off = (ipa - rd) % PVM_LAYOUT_GICR_STRIDE;
	*handled = cpu < g->ncpus && !(off & (size - 1)) && redist(g, cpu, off, write, size, data);
	return true;
}

bool gic_model_edge(struct gic_model *g, unsigned intid)
{
	if (intid < SPI_FIRST || intid >= GIC_MODEL_IRQS)
		return false;
	if (g->cfg[intid / 16] & (2u << ((intid % 16) * 2)))
		g->pending[intid / 32] |= 1u << (intid % 32);
	return true;
}

/* The vCPU IROUTER names, or -1 (none of ours; the SPI waits). 1 of N: the first. */
static int target(const struct gic_model *g, unsigned intid)
{
	uint64_t r = g->route[intid];

	if (r & IROUTER_IRM)
		return 0;
	if (r & ~0xffull || (r & 0xff) >= g->ncpus)
		return -1;
	return (int)(r & 0xff);
}

bool gic_model_next(struct gic_model *g, unsigned *cpu, unsigned *intid)
{
	unsigned w, b;
	int t;

	/* Group 1 on and affinity routing: IROUTER is what routes SPIs here. */
	if ((g->ctlr & (GICD_CTLR_ARE | GICD_CTLR_GRP1)) != (GICD_CTLR_ARE | GICD_CTLR_GRP1))
		return false;
	for (w = SPI_FIRST / 32; w < GIC_MODEL_IRQS / 32; w++) {
		uint32_t ready = g->pending[w] & g->enable[w] & g->group[w];

		for (b = 0; ready; b++, ready >>= 1) {
			if (!(ready & 1))
				continue;
			t = target(g, w * 32 + b);
			if (t < 0 || (g->cpu[t].waker & GICR_WAKER_PS))
				continue;
			g->pending[w] &= ~(1u << b);
			*cpu = (unsigned)t;
			*intid = w * 32 + b;
			return true;
		}
	}
	return false;
}
