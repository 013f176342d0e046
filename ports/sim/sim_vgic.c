/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The GICv3 virtual CPU interface and the virtual timer of the simulated
 * binary guests (Unicorn has neither: its ICC_* registers are UNDEFINED and
 * its generic timer raises no interrupt). sim_unicorn.c calls these from
 * its MRS/MSR hook; they only read and change the vCPU context, so they are
 * tested on their own (test_sim_vgic).
 *
 * The interface is what a guest sees through ICV_* on hardware fed by list
 * registers (ports/el2/vgic.c), kept in the context in the architectural
 * register formats (struct pvm_vgic_state):
 *  - vmcr is ICH_VMCR_EL2: VPMR, VBPR1, VEOIM, VCBPR, VENG1;
 *  - ap1r[0] is ICH_AP1R0_EL2: one bit per active group priority (5 bits
 *    of priority, 5 of preemption, as QEMU's and most hardware's);
 *  - lr[0..nr_lr) are ICH_LR<n>_EL2 values of the interrupts the guest has
 *    acknowledged and not yet deactivated (state active), so that an
 *    interrupt stays active across exits, as a list register does.
 * Pending interrupts are not copied anywhere: they are the core's
 * ctx->virq bitmap (edges injected by the VMM, pvm_vcpu_inject_irq()) and
 * the virtual timer's level, PPI 27, asserted while CNTV_CTL_EL0.ENABLE,
 * !IMASK and the count has reached CNTV_CVAL_EL0 (ISTATUS). Every interrupt
 * is Group 1 at priority 0xa0, as the EL2 port's list registers give them
 * (docs/abi.md); among equals the lowest INTID goes first.
 *
 * Emulated: ICC_SRE_EL1 (0b111, RAO/WI: system registers only),
 * ICC_PMR_EL1, ICC_IGRPEN1_EL1, ICC_BPR1_EL1 (minimum 3), ICC_CTLR_EL1
 * (EOImode and CBPR writable; PRIbits 4, IDbits 0), ICC_IAR1_EL1,
 * ICC_EOIR1_EL1 (priority drop, and deactivation unless EOImode),
 * ICC_DIR_EL1 (deactivation with EOImode), ICC_RPR_EL1 and
 * ICC_HPPIR1_EL1. A read of a write-only register, a write of a read-only
 * one and every other ICC_* register (Group 0, SGIs, the APRs) are
 * UNDEFINED. An EOI or DIR of an INTID that is not active changes nothing
 * (the architecture leaves it UNPREDICTABLE), nor does a DIR without
 * EOImode.
 *
 * The timer's registers live in the context (PVM_SYS_CNTV_CTL_EL0 holds
 * ENABLE and IMASK, PVM_SYS_CNTV_CVAL_EL0 the compare value): Unicorn drops
 * a guest's writes to its own, and the core reads the context for the WFI
 * exit's deadline. The count is Unicorn's CNTVCT_EL0: CLOCK_MONOTONIC at
 * 62.5 MHz (QEMU's 16 ns period), with CNTVOFF 0.
 */
#include <libpvm/sim.h>

#include <time.h>

#include "sim_vcpu_internal.h"

#define VIRQ_PRIORITY 0xa0u
#define TIMER_PPI     27u
#define SPURIOUS      1023u
#define INTID_MASK    0xffffffu
#define NS_PER_TICK   (1000000000ull / PVM_SIM_COUNTER_HZ)

/* ICH_VMCR_EL2 */
#define VMCR_ENG1	(1u << 1)
#define VMCR_CBPR	(1u << 4)
#define VMCR_EOIM	(1u << 9)
#define VMCR_BPR1_SHIFT 18
#define VMCR_BPR0_SHIFT 21
#define VMCR_PMR_SHIFT	24
#define PMR_BITS	0xf8u /* five bits of priority */
#define BPR0_MIN	2u    /* five bits of preemption */
#define BPR1_MIN	3u
/* ICH_LR<n>_EL2 */
#define LR_PRIO(p) ((uint64_t)(p) << 48)
#define LR_GROUP1  (1ull << 60)
#define LR_ACTIVE  (1ull << 63)
#define LR_VINTID  0xffffffffull
/* ICC_CTLR_EL1: CBPR, EOImode, PRIbits (bits - 1), IDbits 0 (16 bits). */
#define CTLR_CBPR    (1u << 0)
#define CTLR_EOIMODE (1u << 1)
#define CTLR_PRIBITS (4u << 8)
#define SRE_VALUE    0x7u /* SRE, DFB, DIB */
/* CNTV_CTL_EL0 */
#define CNTV_ENABLE  (1ull << 0)
#define CNTV_IMASK   (1ull << 1)
#define CNTV_ISTATUS (1ull << 2)

uint64_t pvm_sim_counter(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec) / NS_PER_TICK;
}

uint64_t pvm_sim_counter_ns(uint64_t count)
{
	return count > UINT64_MAX / NS_PER_TICK ? UINT64_MAX : count * NS_PER_TICK;
}

/*
 * ---------------------------------------------------------------------
 * The virtual timer.
 * ---------------------------------------------------------------------
 */

static bool timer_met(const struct pvm_vcpu_ctx *ctx, uint64_t now)
{
	const uint64_t *sys = ctx->regs.sys;

	return (sys[PVM_SYS_CNTV_CTL_EL0] & CNTV_ENABLE) && now >= sys[PVM_SYS_CNTV_CVAL_EL0];
}

bool sim_timer_level(const struct pvm_vcpu_ctx *ctx, uint64_t now)
{
	return timer_met(ctx, now) && !(ctx->regs.sys[PVM_SYS_CNTV_CTL_EL0] & CNTV_IMASK);
}

bool sim_timer_armed(const struct pvm_vcpu_ctx *ctx, uint64_t now)
{
	return (ctx->regs.sys[PVM_SYS_CNTV_CTL_EL0] & (CNTV_ENABLE | CNTV_IMASK)) == CNTV_ENABLE &&
	       !timer_met(ctx, now);
}

bool sim_timer_access(struct pvm_vcpu_ctx *ctx, unsigned op2, bool write, uint64_t *val,
		      uint64_t now)
{
	uint64_t *sys = ctx->regs.sys;

	switch (op2) {
	case SIM_CNTV_TVAL:
		/* A signed 32-bit distance to the compare value. */
		if (write)
			sys[PVM_SYS_CNTV_CVAL_EL0] = now + (uint64_t)(int64_t)(int32_t)*val;
		else
			*val = (uint32_t)(sys[PVM_SYS_CNTV_CVAL_EL0] - now);
		return true;
	case SIM_CNTV_CTL:
		if (write)
			sys[PVM_SYS_CNTV_CTL_EL0] = *val & (CNTV_ENABLE | CNTV_IMASK);
		else
			*val = sys[PVM_SYS_CNTV_CTL_EL0] | (timer_met(ctx, now) ? CNTV_ISTATUS : 0);
		return true;
	case SIM_CNTV_CVAL:
		if (write)
			sys[PVM_SYS_CNTV_CVAL_EL0] = *val;
		else
			*val = sys[PVM_SYS_CNTV_CVAL_EL0];
		return true;
	default:
		return false;
	}
}

/*
 * ---------------------------------------------------------------------
 * The CPU interface.
 * ---------------------------------------------------------------------
 */

enum sim_icc sim_icc_decode(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2)
{
	if (op0 != 3 || op1 != 0)
		return SIM_ICC_NONE;
	if (crn == 4 && crm == 6 && op2 == 0)
		return SIM_ICC_PMR;
	if (crn != 12)
		return SIM_ICC_NONE;
	if (crm == 11)
		return op2 == 1 ? SIM_ICC_DIR : op2 == 3 ? SIM_ICC_RPR : SIM_ICC_OTHER;
	if (crm != 12)
		return crm >= 8 ? SIM_ICC_OTHER : SIM_ICC_NONE;
	switch (op2) {
	case 0:
		return SIM_ICC_IAR1;
	case 1:
		return SIM_ICC_EOIR1;
	case 2:
		return SIM_ICC_HPPIR1;
	case 3:
		return SIM_ICC_BPR1;
	case 4:
		return SIM_ICC_CTLR;
	case 5:
		return SIM_ICC_SRE;
	case 7:
		return SIM_ICC_IGRPEN1;
	default:
		return SIM_ICC_OTHER; /* ICC_IGRPEN0_EL1 */
	}
}

static uint32_t vmcr_field(const struct pvm_vgic_state *s, unsigned shift, uint32_t mask)
{
	return (s->vmcr >> shift) & mask;
}

/* ICC_BPR1_EL1 as the guest sees it: its own, or BPR0's + 1 with CBPR. */
static uint32_t bpr1(const struct pvm_vgic_state *s)
{
	uint32_t b0 = vmcr_field(s, VMCR_BPR0_SHIFT, 7), b1 = vmcr_field(s, VMCR_BPR1_SHIFT, 7);

	b0 = b0 < BPR0_MIN ? BPR0_MIN : b0;
	if (s->vmcr & VMCR_CBPR)
		return b0 == 7 ? 7 : b0 + 1;
	return b1 < BPR1_MIN ? BPR1_MIN : b1;
}

/* The group (preemption) priority of @prio: bits [7:BPR1]. */
static uint32_t group_prio(const struct pvm_vgic_state *s, uint32_t prio)
{
	return prio & (0xffu << bpr1(s)) & 0xffu;
}

/* The running priority: the highest active group priority, or 0x100 (idle). */
static uint32_t running(const struct pvm_vgic_state *s)
{
	return s->ap1r[0] ? (uint32_t)__builtin_ctz(s->ap1r[0]) << 3 : 0x100u;
}

static int lr_find(const struct pvm_vgic_state *s, uint32_t intid)
{
	uint32_t i;

	for (i = 0; i < s->nr_lr; i++)
		if ((s->lr[i] & LR_VINTID) == intid)
			return (int)i;
	return -1;
}

static void lr_drop(struct pvm_vgic_state *s, int i)
{
	s->lr[i] = s->lr[--s->nr_lr];
	s->lr[s->nr_lr] = 0;
}

/* The highest-priority pending interrupt that is not active, or -1. */
static int hppi(const struct pvm_vcpu_ctx *ctx, bool timer)
{
	unsigned w, b;

	for (w = 0; w < sizeof(ctx->virq) / sizeof(ctx->virq[0]); w++) {
		uint32_t bits = __atomic_load_n(&ctx->virq[w], __ATOMIC_ACQUIRE);

		if (w == TIMER_PPI / 32 && timer)
			bits |= 1u << (TIMER_PPI % 32);
		for (b = 0; b < 32; b++)
			if ((bits & (1u << b)) && lr_find(&ctx->vgic, w * 32 + b) < 0)
				return (int)(w * 32 + b);
	}
	return -1;
}

/* An interrupt of priority @prio is signalled: group on, unmasked, preempting. */
static bool signalled(const struct pvm_vgic_state *s, uint32_t prio)
{
	return (s->vmcr & VMCR_ENG1) && prio < vmcr_field(s, VMCR_PMR_SHIFT, 0xff) &&
	       group_prio(s, prio) < running(s);
}

bool sim_icc_irq(const struct pvm_vcpu_ctx *ctx, bool timer)
{
	return hppi(ctx, timer) >= 0 && signalled(&ctx->vgic, VIRQ_PRIORITY);
}

/* ICC_IAR1_EL1: acknowledge the interrupt being signalled. */
static uint64_t ack(struct pvm_vcpu_ctx *ctx, bool timer)
{
	struct pvm_vgic_state *s = &ctx->vgic;
	int intid = hppi(ctx, timer);

	if (intid < 0 || !signalled(s, VIRQ_PRIORITY) || s->nr_lr >= PVM_VGIC_LR_MAX)
		return SPURIOUS;
	/* An injected edge is consumed; the timer's level stays the timer's. */
	__atomic_fetch_and(&ctx->virq[intid / 32], ~(1u << (intid % 32)), __ATOMIC_ACQ_REL);
	s->lr[s->nr_lr++] = (uint64_t)intid | LR_PRIO(VIRQ_PRIORITY) | LR_GROUP1 | LR_ACTIVE;
	s->ap1r[0] |= 1u << (group_prio(s, VIRQ_PRIORITY) >> 3);
	return (uint64_t)intid;
}

/* ICC_EOIR1_EL1 (@eoi) or ICC_DIR_EL1. */
static void end(struct pvm_vgic_state *s, uint64_t val, bool eoi)
{
	uint32_t intid = (uint32_t)val & INTID_MASK;
	int i = lr_find(s, intid);

	if (i < 0 || (!eoi && !(s->vmcr & VMCR_EOIM)))
		return; /* not active (or spurious), or DIR without EOImode: nothing */
	if (eoi)
		s->ap1r[0] &= s->ap1r[0] - 1; /* priority drop: the highest active priority */
	if (!eoi || !(s->vmcr & VMCR_EOIM))
		lr_drop(s, i);
}

bool sim_icc_read(struct pvm_vcpu_ctx *ctx, enum sim_icc reg, bool timer, uint64_t *val)
{
	struct pvm_vgic_state *s = &ctx->vgic;
	int intid;

	switch (reg) {
	case SIM_ICC_PMR:
		*val = vmcr_field(s, VMCR_PMR_SHIFT, 0xff);
		return true;
	case SIM_ICC_IAR1:
		*val = ack(ctx, timer);
		return true;
	case SIM_ICC_HPPIR1:
		intid = hppi(ctx, timer);
		*val = intid < 0 ? SPURIOUS : (uint64_t)intid;
		return true;
	case SIM_ICC_BPR1:
		*val = bpr1(s);
		return true;
	case SIM_ICC_RPR:
		*val = running(s) > 0xff ? 0xff : running(s);
		return true;
	case SIM_ICC_CTLR:
		*val = CTLR_PRIBITS | ((s->vmcr & VMCR_CBPR) ? CTLR_CBPR : 0) |
		       ((s->vmcr & VMCR_EOIM) ? CTLR_EOIMODE : 0);
		return true;
	case SIM_ICC_SRE:
		*val = SRE_VALUE;
		return true;
	case SIM_ICC_IGRPEN1:
		*val = (s->vmcr & VMCR_ENG1) ? 1 : 0;
		return true;
	default:
		return false; /* write-only (EOIR1, DIR) or not emulated: UNDEFINED */
	}
}

bool sim_icc_write(struct pvm_vcpu_ctx *ctx, enum sim_icc reg, uint64_t val)
{
	struct pvm_vgic_state *s = &ctx->vgic;
	uint32_t b;

	switch (reg) {
	case SIM_ICC_PMR:
		s->vmcr = (s->vmcr & ~(0xffu << VMCR_PMR_SHIFT)) | ((uint32_t)val & PMR_BITS)
									   << VMCR_PMR_SHIFT;
		return true;
	case SIM_ICC_EOIR1:
	case SIM_ICC_DIR:
		end(s, val, reg == SIM_ICC_EOIR1);
		return true;
	case SIM_ICC_BPR1:
		if (s->vmcr & VMCR_CBPR)
			return true; /* BPR0's alias: ignored */
		b = (uint32_t)val & 7;
		s->vmcr = (s->vmcr & ~(7u << VMCR_BPR1_SHIFT)) | (b < BPR1_MIN ? BPR1_MIN : b)
									 << VMCR_BPR1_SHIFT;
		return true;
	case SIM_ICC_CTLR:
		s->vmcr = (s->vmcr & ~(VMCR_CBPR | VMCR_EOIM)) |
			  ((val & CTLR_CBPR) ? VMCR_CBPR : 0) |
			  ((val & CTLR_EOIMODE) ? VMCR_EOIM : 0);
		return true;
	case SIM_ICC_SRE:
		return true; /* RAO/WI */
	case SIM_ICC_IGRPEN1:
		s->vmcr = (s->vmcr & ~VMCR_ENG1) | ((val & 1) ? VMCR_ENG1 : 0);
		return true;
	default:
		return false; /* read-only (IAR1, HPPIR1, RPR) or not emulated: UNDEFINED */
	}
}
