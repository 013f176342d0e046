/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Binary guests: the Unicorn AArch64 engine (2.0.x) runs the guest at EL1
 * with its MMU off (VA = IPA); this file is the world switch around it.
 *
 * Unicorn has no EL2. What would trap to EL2 on hardware is recognised
 * here and turned into the syndrome the core expects:
 *  - HVC raises "undefined instruction" (intno 1) at the HVC itself: an
 *    HVC64 trap whose preferred return is the next instruction.
 *  - SMC raises EXCP_SMC (13) with the PC already past it: an SMC64 trap
 *    (HCR_EL2.TSC) at the SMC, which returns to itself.
 *  - WFI halts the engine: uc_emu_start() returns with the PC past the WFI
 *    and no hook having run. Trapped as WFx (HCR_EL2.TWI) at the WFI.
 *  - Any other undefined instruction (an MSR to an EL2 register, say) and
 *    any exception Unicorn cannot describe (its own aborts, for an
 *    alignment fault) trap with EC_UNKNOWN at the instruction: the core
 *    injects UNDEF, and the VMM sees a guest fault.
 *  - SVC (EXCP_SWI, PC past it) and BRK (EXCP_BKPT, at it) never reach EL2
 *    on hardware: they are taken to the guest's own VBAR_EL1 here, with the
 *    syndrome a CPU writes to ESR_EL1, without an exit.
 *
 * **The memory mirror is a TLB.** Guest memory appears in the engine only
 * through misses: an access to an address Unicorn has no region for calls
 * the unmapped-memory hook, which translates the IPA with the simulated
 * stage-2 MMU (pvm_sim_s2_translate(), so the TLB model applies) and maps
 * the host memory behind it with uc_mem_map_ptr(). Unicorn aborts the
 * process near 1,024 regions, and every region change costs microseconds to
 * milliseconds, so a miss maps the longest run around the address that is
 * contiguous in IPA and PA and uniformly permitted (probing neighbouring
 * leaves), and adjacent regions left by earlier misses are merged at the
 * next entry (never inside a hook: the executing block may live in them).
 * A translation or permission fault becomes a stage-2 abort with the
 * syndrome hardware reports, the instruction decoded for ISV.
 *
 * Like a TLB, the mirror keeps a page until the core invalidates it:
 * pvm_port_tlbi_ipa()/pvm_port_tlbi_vmid() call sim_uc_tlbi(), which queues
 * the invalidation on every engine that ran with that VMID and stops the
 * engines that are running, waiting until they have left the emulator (as
 * TLBI + DSB completes only when every CPU has dropped the entry). An
 * engine applies its queue before it runs again; only its own thread ever
 * touches it.
 *
 * Virtual interrupts: the guest has a GICv3 virtual CPU interface and its
 * virtual timer (sim_vgic.c), which Unicorn lacks. The engine has no GIC:
 * an MRS or MSR of an ICC_* register is UNDEFINED there, raised at the
 * instruction like an HVC; the port decodes the system-register move,
 * emulates it on the vCPU context and resumes past it without an exit, or,
 * for a register the interface does not have, traps EC_UNKNOWN as for any
 * undefined instruction. (Unicorn's MRS/MSR hook cannot skip an
 * instruction whose register the engine does not know: it re-executes it
 * forever.) The engine does know CNTV_CTL/CVAL/TVAL_EL0 but drops a
 * guest's writes to them and never raises the timer's interrupt, so a hook
 * on every MRS and MSR (UC_HOOK_INSN, which runs before the engine's own
 * handling) emulates those on the context and skips the instruction.
 * Whether the interface signals an IRQ is computed at entry,
 * after each emulated access, at a WFI and, while the timer is armed,
 * every 256 instructions against the count; while it is signalled the code
 * hook looks at PSTATE.I before each instruction and, once it is clear,
 * stops the engine there and takes the IRQ exception to VBAR_EL1 + 0x280
 * with ELR_EL1 = that instruction, as the CPU would. A WFI with an
 * interrupt signalled completes at once (HCR_EL2.TWI traps only a WFI that
 * would wait). An IRQ injected by another thread while the guest runs is
 * seen at the next entry (the VMM kicks the vCPU to make that soon).
 *
 * Not modelled: the guest's stage-1 MMU (SCTLR_EL1, TTBRx_EL1, TCR_EL1 and
 * MAIR_EL1 stay inside the engine, not in the vCPU context), AArch32, FP
 * traps to EL1 (an FP instruction with CPACR_EL1.FPEN clear is UNDEF).
 */
#include <libpvm/arch.h>
#include <libpvm/esr.h>
#include <libpvm/sim.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicorn/unicorn.h>

#include "sim_internal.h"
#include "sim_vcpu_internal.h"

#define PAGE 4096ull
/* Far below Unicorn's ~1,024: past this the mirror is dropped and refilled. */
#define MAX_REGIONS 256u
/* A miss probes at most this far from the faulting address. */
#define MAX_RUN (256ull << 20)
/* Invalidations queued per engine before one of the whole VMID is applied instead. */
#define MAX_PENDING 32u

/* Instructions and the exceptions Unicorn reports (QEMU's EXCP_*). */
#define INSN_WFI      0xd503207fu
#define INSN_EXC_MASK 0xffe0001fu
#define INSN_SVC      0xd4000001u
#define INSN_HVC      0xd4000002u
#define INSN_SMC      0xd4000003u
#define INSN_BRK      0xd4200000u
/* MRS/MSR (register), op0 2 or 3: 1101 0101 00 L 1 o0 op1 CRn CRm op2 Rt. */
#define INSN_SYSREG_MASK 0xffd00000u
#define INSN_SYSREG	 0xd5100000u
#define EXCP_UDEF	 1u
#define EXCP_SWI	 2u
#define EXCP_BKPT	 7u
#define EXCP_SMC	 13u
#define EC_SVC64	 0x15u
#define EC_BRK64	 0x3cu

#define CPACR_FPEN (3ull << 20)

/* A run of guest memory mapped into the engine. */
struct region {
	uint64_t ipa, size;
	uint64_t pa;
	uint64_t gran; /* largest stage-2 leaf the run was built from */
	uint32_t prot; /* UC_PROT_* */
};

/* Why the engine stopped, as the hooks saw it. */
enum why {
	W_NONE = 0,
	W_ABORT,   /* a stage-2 fault: trap */
	W_INTR,	   /* an exception Unicorn raised */
	W_REFRESH, /* the mirror must change before the access is retried */
	W_BROKEN,  /* the VM's stage-2 cannot be walked */
	W_IRQ,	   /* an IRQ is signalled and PSTATE.I is clear: take it here */
};

struct sim_uc {
	struct sim_vcpu *v;
	uc_engine *uc;
	struct sim_uc *next; /* the global list */

	/* Only the thread running the engine. */
	struct region r[MAX_REGIONS];
	unsigned nr;
	bool merge;	  /* adjacent regions may be mergeable */
	bool have_regime; /* vtcr/vttbr below are what the mirror holds */
	uint64_t vtcr, vttbr;
	enum why why;
	uint32_t intno;
	uint64_t fault_ipa;
	enum pvm_sim_access fault_acc;
	uint8_t fault_fsc;
	uint64_t refresh_ipa;	  /* W_REFRESH: this page, or all if ~0 */
	struct pvm_vcpu_ctx *ctx; /* the vCPU being run */
	bool irq;		  /* its CPU interface signals an IRQ */
	bool watch;		  /* its timer is armed: compare the count now and then */
	unsigned steps;		  /* instructions since the count was last compared */

	/* Shared with sim_uc_tlbi() and sim_uc_kick(): under lock. */
	pthread_mutex_t lock;
	bool running;	/* inside uc_emu_start() */
	bool stopped;	/* someone called uc_emu_stop() during this run */
	uint64_t gen;	/* runs completed */
	int vmid;	/* VMID the mirror holds, -1 for none */
	bool pend_all;	/* drop the whole mirror */
	unsigned npend; /* queued IPAs */
	uint64_t pend[MAX_PENDING];
	int has_pend; /* atomic: npend || pend_all, read without the lock */
};

static pthread_mutex_t engines_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_uc *engines;
unsigned sim_uc_live;

/*
 * ---------------------------------------------------------------------
 * Stage-2 data abort syndromes: which accesses carry an instruction syndrome.
 * ---------------------------------------------------------------------
 */

/*
 * ESR_EL2 of a stage-2 data abort taken by instruction @insn. The
 * architecture gives a valid instruction syndrome (ISV) only for a load or
 * store of a single general-purpose register without writeback (including
 * the acquire/release forms, with AR): never for pairs, SIMD/FP registers,
 * exclusives, atomics, or pre/post-indexed forms. WnR comes from the
 * access that faulted.
 */
uint64_t sim_insn_dabt_esr(uint32_t insn, unsigned fsc, bool write)
{
	unsigned rt = insn & 0x1fu, size = insn >> 30, opc = (insn >> 22) & 3u;
	bool load, sse = false, sf, ar = false;
	uint64_t esr;

	if ((insn & 0x3f000000u) == 0x39000000u || /* unsigned offset, GPR */
	    (insn & 0x3f200400u) == 0x38000000u || /* unscaled (LDUR) or unprivileged (LDTR) */
	    (insn & 0x3f200c00u) == 0x38200800u) { /* register offset */
		if (opc == 0 || opc == 1) {
			load = opc == 1;
			sf = size == 3;
		} else if (opc == 2 && size != 3) { /* LDRSB/LDRSH/LDRSW Xt */
			load = sse = sf = true;
		} else if (opc == 3 && size < 2) { /* LDRSB/LDRSH Wt */
			load = sse = true;
			sf = false;
		} else {
			goto none; /* PRFM, or unallocated */
		}
	} else if ((insn & 0x3fa00000u) == 0x08800000u) { /* LDAR/STLR, LDLAR/STLLR */
		load = (insn >> 22) & 1u;
		sf = size == 3;
		ar = true;
	} else if ((insn & 0x3f000000u) == 0x18000000u && size != 3) { /* LDR (literal) */
		load = true;
		sse = size == 2;
		sf = size != 0;
		size = size == 0 ? 2 : size == 1 ? 3 : 2;
	} else {
		goto none;
	}
	if (load == write)
		goto none; /* not the access that faulted: report no syndrome */
	esr = pvm_esr_dabt(fsc, write, 1u << size, rt, sse, sf);
	return ar ? esr | PVM_ISS_AR : esr;
none:
	return pvm_esr_dabt(fsc, write, 0, 32, false, false);
}

/*
 * ---------------------------------------------------------------------
 * The mirror.
 * ---------------------------------------------------------------------
 */

static uint32_t prot_of(const struct pvm_sim_s2_result *res)
{
	uint32_t p = UC_PROT_NONE;

	if (res->s2ap & 1u)
		p |= UC_PROT_READ;
	if (res->s2ap & 2u)
		p |= UC_PROT_WRITE;
	/* XN[1:0] 0b00 and 0b11 let EL1 execute. */
	if (res->xn == 0 || res->xn == 3)
		p |= UC_PROT_EXEC;
	return p;
}

/* The leaf translating @ipa, whatever its permissions: false if none. */
static bool probe(struct sim_uc *u, uint64_t ipa, struct pvm_sim_s2_result *res)
{
	if (pvm_sim_s2_translate(u->vtcr, u->vttbr, ipa, PVM_SIM_READ, res))
		return false;
	return !res->fault || (res->fsc & PVM_FSC_TYPE_MASK) == PVM_FSC_PERM_ANY;
}

/* Index of the first region ending above @ipa (nr if none). */
static unsigned find(const struct sim_uc *u, uint64_t ipa)
{
	unsigned lo = 0, hi = u->nr;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (u->r[mid].ipa + u->r[mid].size <= ipa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool map_region(struct sim_uc *u, const struct region *reg)
{
	void *host = pvm_sim_ram(pvm_pa(reg->pa), reg->size);
	unsigned i;

	if (!host || u->nr >= MAX_REGIONS ||
	    uc_mem_map_ptr(u->uc, reg->ipa, reg->size, reg->prot, host) != UC_ERR_OK)
		return false;
	i = find(u, reg->ipa);
	memmove(&u->r[i + 1], &u->r[i], (u->nr - i) * sizeof(u->r[0]));
	u->r[i] = *reg;
	u->nr++;
	return true;
}

static void unmap_index(struct sim_uc *u, unsigned i)
{
	if (uc_mem_unmap(u->uc, u->r[i].ipa, u->r[i].size) != UC_ERR_OK)
		sim_die("unicorn: cannot unmap a mirrored region at %#llx",
			(unsigned long long)u->r[i].ipa);
	u->nr--;
	memmove(&u->r[i], &u->r[i + 1], (u->nr - i) * sizeof(u->r[0]));
}

static void drop_all(struct sim_uc *u)
{
	while (u->nr)
		unmap_index(u, u->nr - 1);
	u->merge = false;
}

/*
 * Forget the translations for @ipa: the leaf-sized range around it (a TLBI
 * by IPA removes the whole entry that covers the address), cut out of the
 * region holding it. Over-invalidating is always safe: it only costs a miss.
 */
static void drop_ipa(struct sim_uc *u, uint64_t ipa)
{
	unsigned i = find(u, ipa);
	struct region old, lo, hi;
	uint64_t s, e;

	if (i == u->nr || u->r[i].ipa > ipa)
		return;
	old = u->r[i];
	s = ipa & ~(old.gran - 1);
	e = s + old.gran;
	s = s < old.ipa ? old.ipa : s;
	e = e > old.ipa + old.size ? old.ipa + old.size : e;
	unmap_index(u, i);
	/* The rest of the run is still a valid translation: map it again. */
	lo = old;
	lo.size = s - old.ipa;
	hi = old;
	hi.ipa = e;
	hi.pa = old.pa + (e - old.ipa);
	hi.size = old.ipa + old.size - e;
	if ((lo.size && !map_region(u, &lo)) || (hi.size && !map_region(u, &hi)))
		drop_all(u);
}

/* Merge runs of adjacent regions that are contiguous in PA and equally permitted. */
static void merge_adjacent(struct sim_uc *u)
{
	unsigned i = 0;

	u->merge = false;
	while (i + 1 < u->nr) {
		struct region m = u->r[i];
		unsigned j = i + 1;

		while (j < u->nr && u->r[j].ipa == m.ipa + m.size && u->r[j].pa == m.pa + m.size &&
		       u->r[j].prot == m.prot) {
			m.size += u->r[j].size;
			m.gran = m.gran > u->r[j].gran ? m.gran : u->r[j].gran;
			j++;
		}
		if (j == i + 1) {
			i++;
			continue;
		}
		while (j-- > i)
			unmap_index(u, i);
		if (!map_region(u, &m)) {
			drop_all(u);
			return;
		}
		i++;
	}
}

/*
 * A miss at @ipa, which translates (@res) for the access: map the longest
 * run around it that is contiguous in IPA and PA, equally permitted, and
 * not mirrored yet. Called from the hook: only maps, never unmaps.
 */
static bool fill(struct sim_uc *u, uint64_t ipa, const struct pvm_sim_s2_result *res)
{
	uint64_t lo_bound = 0, hi_bound = ~0ull, s, e, pa_s;
	unsigned i = find(u, ipa);
	struct pvm_sim_s2_result n;
	struct region reg;

	if (i < u->nr)
		hi_bound = u->r[i].ipa;
	if (i > 0)
		lo_bound = u->r[i - 1].ipa + u->r[i - 1].size;
	reg.prot = prot_of(res);
	reg.gran = res->block;
	s = ipa & ~(res->block - 1);
	e = s + res->block;
	pa_s = pvm_pa_val(res->pa) - (ipa - s);
	if (s < lo_bound) {
		pa_s += lo_bound - s;
		s = lo_bound;
	}
	if (e > hi_bound || e == 0)
		e = hi_bound;
	while (e < hi_bound && e - s < MAX_RUN && probe(u, e, &n) && prot_of(&n) == reg.prot &&
	       pvm_pa_val(n.pa) == pa_s + (e - s) && pvm_sim_ram(n.pa, PAGE)) {
		uint64_t next = (e & ~(n.block - 1)) + n.block;

		e = next > hi_bound || next == 0 ? hi_bound : next;
		reg.gran = n.block > reg.gran ? n.block : reg.gran;
	}
	while (s > lo_bound && e - s < 2 * MAX_RUN && probe(u, s - PAGE, &n) &&
	       prot_of(&n) == reg.prot && pvm_pa_val(n.pa) == pa_s - PAGE &&
	       pvm_sim_ram(n.pa, PAGE)) {
		uint64_t start = (s - PAGE) & ~(n.block - 1);

		start = start < lo_bound ? lo_bound : start;
		pa_s -= s - start;
		s = start;
		reg.gran = n.block > reg.gran ? n.block : reg.gran;
	}
	reg.ipa = s;
	reg.size = e - s;
	reg.pa = pa_s;
	if (!map_region(u, &reg))
		return false;
	if (s == lo_bound || e == hi_bound)
		u->merge = true;
	return true;
}

/* Apply the invalidations other threads queued for this engine. */
static void apply_pending(struct sim_uc *u)
{
	uint64_t pend[MAX_PENDING];
	unsigned n, k;
	bool all;

	pthread_mutex_lock(&u->lock);
	all = u->pend_all;
	n = u->npend;
	memcpy(pend, u->pend, n * sizeof(pend[0]));
	u->pend_all = false;
	u->npend = 0;
	__atomic_store_n(&u->has_pend, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&u->lock);
	if (all) {
		drop_all(u);
		return;
	}
	for (k = 0; k < n; k++)
		drop_ipa(u, pend[k]);
}

/*
 * ---------------------------------------------------------------------
 * Hooks: record why, stop, and let sim_uc_enter() act after
 * uc_emu_start() returns (a hook that moves the PC is ignored, #1579).
 * ---------------------------------------------------------------------
 */

static bool on_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		   void *data)
{
	struct sim_uc *u = data;
	struct pvm_sim_s2_result res;
	enum pvm_sim_access acc;
	bool unmapped;

	(void)uc;
	(void)size;
	(void)value;
	switch (type) {
	case UC_MEM_WRITE_UNMAPPED:
	case UC_MEM_WRITE_PROT:
		acc = PVM_SIM_WRITE;
		break;
	case UC_MEM_FETCH_UNMAPPED:
	case UC_MEM_FETCH_PROT:
		acc = PVM_SIM_EXEC;
		break;
	default:
		acc = PVM_SIM_READ;
		break;
	}
	unmapped = type == UC_MEM_READ_UNMAPPED || type == UC_MEM_WRITE_UNMAPPED ||
		   type == UC_MEM_FETCH_UNMAPPED;
	if (pvm_sim_s2_translate(u->vtcr, u->vttbr, addr, acc, &res)) {
		u->why = W_BROKEN;
		return false;
	}
	if (res.fault) {
		u->why = W_ABORT;
		u->fault_ipa = addr;
		u->fault_acc = acc;
		u->fault_fsc = res.fsc;
		return false;
	}
	if (unmapped && fill(u, addr, &res))
		return true;
	/*
	 * Mirrored with fewer permissions than the stage-2 now grants, or no
	 * room for another region: change the mirror outside the emulator
	 * and retry the instruction.
	 */
	u->why = W_REFRESH;
	u->refresh_ipa = unmapped ? ~0ull : addr;
	return false;
}

/* Whether the CPU interface signals an IRQ now; whether to watch the timer. */
static void irq_update(struct sim_uc *u)
{
	uint64_t now = pvm_sim_counter();

	u->irq = sim_icc_irq(u->ctx, sim_timer_level(u->ctx, now));
	u->watch = sim_timer_armed(u->ctx, now);
	u->steps = 0;
}

/*
 * Unicorn 2.0.1 keeps the PC of a translation block's first instruction
 * while it runs the block (upstream #972, #1643): an access fault would be
 * reported at the wrong instruction. With a code hook installed, the PC is
 * written before every instruction, so it is exact in the memory hooks and
 * after a fault. The hook also delivers IRQs: a stop requested here ends
 * the run before this instruction executes, with the PC at it.
 */
static void on_code(uc_engine *uc, uint64_t addr, uint32_t size, void *data)
{
	struct sim_uc *u = data;
	uint64_t pstate = 0;

	(void)addr;
	(void)size;
	if (u->watch && ++u->steps == 256)
		irq_update(u);
	if (!u->irq || u->why == W_IRQ)
		return;
	(void)uc_reg_read(uc, UC_ARM64_REG_PSTATE, &pstate);
	if (pstate & PVM_PSTATE_I)
		return;
	u->why = W_IRQ;
	uc_emu_stop(uc);
}

/*
 * An MRS or MSR the engine knows: the virtual timer's registers are
 * emulated on the context (sim_vgic.c) and the instruction skipped
 * (return 1); anything else is the engine's (return 0).
 */
static uint32_t on_sys(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, struct sim_uc *u,
		       bool write)
{
	uint64_t val = 0, pstate = 0;

	if (cp->op0 != 3 || cp->op1 != 3 || cp->crn != 14 || cp->crm != 3 ||
	    cp->op2 > SIM_CNTV_CVAL || !u->ctx)
		return 0;
	/* From EL0 these trap or are UNDEFINED (CNTKCTL_EL1): the engine's own checks apply. */
	(void)uc_reg_read(uc, UC_ARM64_REG_PSTATE, &pstate);
	if (!(pstate & PVM_PSTATE_EL_MASK))
		return 0;
	if (write && reg != UC_ARM64_REG_XZR)
		(void)uc_reg_read(uc, reg, &val);
	(void)sim_timer_access(u->ctx, cp->op2, write, &val, pvm_sim_counter());
	if (!write && reg != UC_ARM64_REG_XZR)
		(void)uc_reg_write(uc, reg, &val);
	irq_update(u);
	return 1;
}

static uint32_t on_mrs(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *data)
{
	return on_sys(uc, reg, cp, data, false);
}

static uint32_t on_msr(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *data)
{
	return on_sys(uc, reg, cp, data, true);
}

static void on_intr(uc_engine *uc, uint32_t intno, void *data)
{
	struct sim_uc *u = data;

	u->why = W_INTR;
	u->intno = intno;
	uc_emu_stop(uc);
}

/*
 * ---------------------------------------------------------------------
 * Registers.
 * ---------------------------------------------------------------------
 */

/* Loaded in this order: PSTATE before the stack pointers it banks. */
enum {
	R_PSTATE,
	R_SP_EL0,
	R_SP_EL1,
	R_SP,
	R_ELR,
	R_ESR,
	R_FAR,
	R_VBAR,
	R_TPIDR0,
	R_TPIDRRO,
	R_TPIDR1,
	R_CPACR,
	R_PAR,
	R_SPSR, /* through UC_ARM64_REG_CP_REG */
	R_X0,
	R_NR = R_X0 + 31
};

static const int reg_ids[R_NR] = {
	[R_PSTATE] = UC_ARM64_REG_PSTATE,    [R_SP_EL0] = UC_ARM64_REG_SP_EL0,
	[R_SP_EL1] = UC_ARM64_REG_SP_EL1,    [R_SP] = UC_ARM64_REG_SP,
	[R_ELR] = UC_ARM64_REG_ELR_EL1,	     [R_ESR] = UC_ARM64_REG_ESR_EL1,
	[R_FAR] = UC_ARM64_REG_FAR_EL1,	     [R_VBAR] = UC_ARM64_REG_VBAR_EL1,
	[R_TPIDR0] = UC_ARM64_REG_TPIDR_EL0, [R_TPIDRRO] = UC_ARM64_REG_TPIDRRO_EL0,
	[R_TPIDR1] = UC_ARM64_REG_TPIDR_EL1, [R_CPACR] = UC_ARM64_REG_CPACR_EL1,
	[R_PAR] = UC_ARM64_REG_PAR_EL1,	     [R_SPSR] = UC_ARM64_REG_CP_REG,
};

/* FP/SIMD: V0..V31 (128 bits each), FPCR, FPSR. */
#define F_NR 34

static int ids[R_NR], fp_ids[F_NR];
static pthread_once_t ids_once = PTHREAD_ONCE_INIT;

static void ids_init(void)
{
	unsigned i;

	memcpy(ids, reg_ids, sizeof(ids));
	for (i = 0; i < 31; i++)
		ids[R_X0 + i] = UC_ARM64_REG_X0 + (int)i;
	for (i = 0; i < 32; i++)
		fp_ids[i] = UC_ARM64_REG_Q0 + (int)i;
	fp_ids[32] = UC_ARM64_REG_FPCR;
	fp_ids[33] = UC_ARM64_REG_FPSR;
}

static bool sp_is_el1(uint64_t pstate)
{
	return (pstate & PVM_PSTATE_EL_MASK) && (pstate & PVM_PSTATE_SP);
}

/* Point vals[] at the context (and the SPSR at a CP_REG descriptor). */
static void reg_ptrs(struct pvm_vcpu_regs *r, uint64_t *sp, uc_arm64_cp_reg *spsr, void **vals)
{
	unsigned i;

	vals[R_PSTATE] = &r->pstate;
	vals[R_SP_EL0] = &r->sp_el0;
	vals[R_SP_EL1] = &r->sys[PVM_SYS_SP_EL1];
	vals[R_SP] = sp;
	vals[R_ELR] = &r->sys[PVM_SYS_ELR_EL1];
	vals[R_ESR] = &r->sys[PVM_SYS_ESR_EL1];
	vals[R_FAR] = &r->sys[PVM_SYS_FAR_EL1];
	vals[R_VBAR] = &r->sys[PVM_SYS_VBAR_EL1];
	vals[R_TPIDR0] = &r->sys[PVM_SYS_TPIDR_EL0];
	vals[R_TPIDRRO] = &r->sys[PVM_SYS_TPIDRRO_EL0];
	vals[R_TPIDR1] = &r->sys[PVM_SYS_TPIDR_EL1];
	vals[R_CPACR] = &r->sys[PVM_SYS_CPACR_EL1];
	vals[R_PAR] = &r->sys[PVM_SYS_PAR_EL1];
	vals[R_SPSR] = spsr;
	for (i = 0; i < 31; i++)
		vals[R_X0 + i] = &r->x[i];
	/* SPSR_EL1 is S3_0_C4_C0_0. */
	memset(spsr, 0, sizeof(*spsr));
	spsr->op0 = 3;
	spsr->crn = 4;
}

static void fp_ptrs(struct pvm_vcpu_regs *r, void **vals)
{
	unsigned i;

	for (i = 0; i < 32; i++)
		vals[i] = &r->fp[2 * i];
	vals[32] = &r->fpcr;
	vals[33] = &r->fpsr;
}

static bool fp_on(const struct pvm_vcpu_regs *r)
{
	return (r->sys[PVM_SYS_CPACR_EL1] & CPACR_FPEN) != 0;
}

static void load(struct sim_uc *u, struct pvm_vcpu_regs *r)
{
	void *vals[R_NR > F_NR ? R_NR : F_NR];
	uc_arm64_cp_reg spsr;
	uint64_t sp = sp_is_el1(r->pstate) ? r->sys[PVM_SYS_SP_EL1] : r->sp_el0;

	reg_ptrs(r, &sp, &spsr, vals);
	spsr.val = r->sys[PVM_SYS_SPSR_EL1];
	if (uc_reg_write_batch(u->uc, ids, vals, R_NR) != UC_ERR_OK)
		sim_die("unicorn: cannot load the guest's registers");
	if (fp_on(r)) {
		fp_ptrs(r, vals);
		(void)uc_reg_write_batch(u->uc, fp_ids, vals, F_NR);
	}
}

static void save(struct sim_uc *u, struct pvm_vcpu_regs *r)
{
	void *vals[R_NR > F_NR ? R_NR : F_NR];
	uc_arm64_cp_reg spsr;
	uint64_t sp;

	reg_ptrs(r, &sp, &spsr, vals);
	if (uc_reg_read_batch(u->uc, ids, vals, R_NR) != UC_ERR_OK)
		sim_die("unicorn: cannot save the guest's registers");
	r->sys[PVM_SYS_SPSR_EL1] = spsr.val;
	/* Unicorn reads these as 32-bit values. */
	r->pstate &= 0xffffffffull;
	r->sys[PVM_SYS_CPACR_EL1] &= 0xffffffffull;
	/* The banked copy of the SP in use is stale: the live one is SP. */
	if (sp_is_el1(r->pstate))
		r->sys[PVM_SYS_SP_EL1] = sp;
	else
		r->sp_el0 = sp;
	if (fp_on(r)) {
		fp_ptrs(r, vals);
		(void)uc_reg_read_batch(u->uc, fp_ids, vals, F_NR);
		r->fpcr &= 0xffffffffull;
		r->fpsr &= 0xffffffffull;
	}
	(void)uc_reg_read(u->uc, UC_ARM64_REG_PC, &r->pc);
}

/* Take an exception to EL1 as the CPU does (AArch64 guest). */
static void take_el1(struct pvm_vcpu_regs *r, unsigned kind, uint64_t elr)
{
	unsigned off = pvm_arch_el1_vector(r->pstate);

	r->sys[PVM_SYS_ELR_EL1] = elr;
	r->sys[PVM_SYS_SPSR_EL1] = r->pstate;
	r->pstate = PVM_PSTATE_EL1H_MASKED;
	r->pc = r->sys[PVM_SYS_VBAR_EL1] + off + kind;
}

static uint32_t insn_at(struct sim_uc *u, uint64_t pc)
{
	uint32_t insn = 0;

	/* The instruction ran (or faulted) from mirrored memory: it is mapped. */
	if (uc_mem_read(u->uc, pc, &insn, sizeof(insn)) != UC_ERR_OK)
		return 0;
	return insn;
}

/*
 * ---------------------------------------------------------------------
 * Kicks and invalidations from other threads.
 * ---------------------------------------------------------------------
 */

/*
 * Stop the engine if it is inside uc_emu_start() and wait until it has
 * left it. A stop that lands before Unicorn has started (it resets its
 * stop request on entry) is lost, so it is repeated until the run ends.
 */
static void stop_and_wait(struct sim_uc *u)
{
	const struct timespec nap = {0, 20000};
	uint64_t gen;

	pthread_mutex_lock(&u->lock);
	gen = u->gen;
	while (u->running && u->gen == gen) {
		u->stopped = true;
		uc_emu_stop(u->uc);
		pthread_mutex_unlock(&u->lock);
		nanosleep(&nap, NULL);
		pthread_mutex_lock(&u->lock);
	}
	pthread_mutex_unlock(&u->lock);
}

void sim_uc_kick(struct sim_uc *u)
{
	/* The kick flag (set by the caller) is read after running is set. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	stop_and_wait(u);
}

void sim_uc_tlbi(uint16_t vmid, uint64_t ipa, bool all)
{
	struct sim_uc *u;

	pthread_mutex_lock(&engines_lock);
	for (u = engines; u; u = u->next) {
		bool stop;

		pthread_mutex_lock(&u->lock);
		if (u->vmid != (int)vmid) {
			pthread_mutex_unlock(&u->lock);
			continue;
		}
		if (all || u->npend == MAX_PENDING)
			u->pend_all = true;
		else
			u->pend[u->npend++] = ipa & ~(PAGE - 1);
		__atomic_store_n(&u->has_pend, 1, __ATOMIC_RELEASE);
		stop = u->running;
		pthread_mutex_unlock(&u->lock);
		if (stop)
			stop_and_wait(u);
	}
	pthread_mutex_unlock(&engines_lock);
}

/*
 * ---------------------------------------------------------------------
 * The engine's life and the world switch.
 * ---------------------------------------------------------------------
 */

struct sim_uc *sim_uc_new(struct sim_vcpu *v)
{
	struct sim_uc *u;
	uc_hook h;

	pthread_once(&ids_once, ids_init);
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->v = v;
	u->vmid = -1;
	if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &u->uc) != UC_ERR_OK) {
		free(u);
		return NULL;
	}
	/* No `until` address: with exits enabled and none set, PC 0 is an ordinary address. */
	if (uc_ctl_exits_enable(u->uc) != UC_ERR_OK ||
	    uc_hook_add(u->uc, &h, UC_HOOK_INTR, (void *)on_intr, u, 1, 0) != UC_ERR_OK ||
	    uc_hook_add(u->uc, &h, UC_HOOK_CODE, (void *)on_code, u, 1, 0) != UC_ERR_OK ||
	    uc_hook_add(u->uc, &h, UC_HOOK_INSN, (void *)on_mrs, u, 1, 0, UC_ARM64_INS_MRS) !=
		    UC_ERR_OK ||
	    uc_hook_add(u->uc, &h, UC_HOOK_INSN, (void *)on_msr, u, 1, 0, UC_ARM64_INS_MSR) !=
		    UC_ERR_OK ||
	    uc_hook_add(u->uc, &h, UC_HOOK_MEM_INVALID, (void *)on_mem, u, 1, 0) != UC_ERR_OK) {
		uc_close(u->uc);
		free(u);
		return NULL;
	}
	pthread_mutex_init(&u->lock, NULL);
	pthread_mutex_lock(&engines_lock);
	u->next = engines;
	engines = u;
	pthread_mutex_unlock(&engines_lock);
	sim_lock();
	sim_uc_live++;
	sim_unlock();
	return u;
}

void sim_uc_free(struct sim_uc *u)
{
	struct sim_uc **p;

	pthread_mutex_lock(&engines_lock);
	for (p = &engines; *p; p = &(*p)->next) {
		if (*p == u) {
			*p = u->next;
			break;
		}
	}
	pthread_mutex_unlock(&engines_lock);
	sim_lock();
	sim_uc_live--;
	sim_unlock();
	uc_close(u->uc);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

unsigned sim_uc_region_count(unsigned vm, unsigned index)
{
	struct sim_vcpu *v = sim_vcpu_get(vm, index);

	return v && v->uc ? v->uc->nr : 0;
}

/* The VM's stage-2 the mirror follows; a different one empties it. */
static void set_regime(struct sim_uc *u, const struct pvm_vcpu_ctx *ctx)
{
	if (u->have_regime && u->vtcr == ctx->vtcr && u->vttbr == ctx->vttbr)
		return;
	drop_all(u);
	u->vtcr = ctx->vtcr;
	u->vttbr = ctx->vttbr;
	u->have_regime = true;
	pthread_mutex_lock(&u->lock);
	u->vmid = (int)(ctx->vttbr >> 48);
	pthread_mutex_unlock(&u->lock);
}

static void trap_sync(struct pvm_trap *trap, uint64_t esr, uint64_t far, uint64_t hpfar)
{
	trap->kind = PVM_TRAP_SYNC;
	trap->esr = esr;
	trap->far = far;
	trap->hpfar = hpfar;
}

static uint64_t esr_of(unsigned ec, uint32_t iss)
{
	return ((uint64_t)ec << PVM_ESR_EC_SHIFT) | PVM_ESR_IL | iss;
}

/*
 * An undefined MRS/MSR (register form) that names an ICC_* register of
 * the CPU interface: emulate it and step past it. false if the interface
 * does not have it (the instruction is UNDEFINED for the guest too).
 */
static bool icc_access(struct sim_uc *u, struct pvm_vcpu_regs *r, uint32_t insn)
{
	unsigned rt = insn & 0x1fu;
	bool read = (insn >> 21) & 1u;
	enum sim_icc icc;
	uint64_t val;
	bool ok;

	if ((insn & INSN_SYSREG_MASK) != INSN_SYSREG || !(r->pstate & PVM_PSTATE_EL_MASK))
		return false;
	icc = sim_icc_decode(2u | ((insn >> 19) & 1u), (insn >> 16) & 7u, (insn >> 12) & 0xfu,
			     (insn >> 8) & 0xfu, (insn >> 5) & 7u);
	if (icc == SIM_ICC_NONE || icc == SIM_ICC_OTHER)
		return false;
	if (read) {
		ok = sim_icc_read(u->ctx, icc, sim_timer_level(u->ctx, pvm_sim_counter()), &val);
		if (ok && rt != 31)
			r->x[rt] = val;
	} else {
		ok = sim_icc_write(u->ctx, icc, rt == 31 ? 0 : r->x[rt]);
	}
	if (!ok)
		return false;
	r->pc += 4;
	irq_update(u);
	return true;
}

/* One exception Unicorn raised. true: a trap for the core is in @trap. */
static bool on_exception(struct sim_uc *u, struct pvm_vcpu_ctx *ctx, struct pvm_trap *trap)
{
	struct pvm_vcpu_regs *r = &ctx->regs;
	uint64_t pc = r->pc;
	uint32_t insn;

	switch (u->intno) {
	case EXCP_UDEF:
		insn = insn_at(u, pc);
		if ((insn & INSN_EXC_MASK) == INSN_HVC) {
			/* HVC's preferred return address is the next instruction. */
			r->pc = pc + 4;
			trap_sync(trap, esr_of(PVM_EC_HVC64, (insn >> 5) & 0xffffu), 0, 0);
		} else if ((insn & INSN_EXC_MASK) == INSN_SMC) {
			trap_sync(trap, esr_of(PVM_EC_SMC64, (insn >> 5) & 0xffffu), 0, 0);
		} else if (icc_access(u, r, insn)) {
			return false; /* the CPU interface's: no trap */
		} else {
			trap_sync(trap, esr_of(PVM_EC_UNKNOWN, 0), 0, 0);
		}
		return true;
	case EXCP_SMC:
		/* Reported past the SMC; a trapped SMC returns to itself. */
		insn = insn_at(u, pc - 4);
		if ((insn & INSN_EXC_MASK) == INSN_SMC) {
			r->pc = pc - 4;
			trap_sync(trap, esr_of(PVM_EC_SMC64, (insn >> 5) & 0xffffu), 0, 0);
		} else {
			trap_sync(trap, esr_of(PVM_EC_UNKNOWN, 0), 0, 0);
		}
		return true;
	case EXCP_SWI:
		/* Reported past the SVC, which is its preferred return address. */
		insn = insn_at(u, pc - 4);
		if ((insn & INSN_EXC_MASK) != INSN_SVC)
			break;
		r->sys[PVM_SYS_ESR_EL1] = esr_of(EC_SVC64, (insn >> 5) & 0xffffu);
		take_el1(r, PVM_VEC_SYNC, pc);
		return false;
	case EXCP_BKPT:
		insn = insn_at(u, pc);
		if ((insn & INSN_EXC_MASK) != INSN_BRK)
			break;
		r->sys[PVM_SYS_ESR_EL1] = esr_of(EC_BRK64, (insn >> 5) & 0xffffu);
		take_el1(r, PVM_VEC_SYNC, pc);
		return false;
	default:
		break;
	}
	/* Nothing the CPU would report this way: UNDEF through the core. */
	trap_sync(trap, esr_of(PVM_EC_UNKNOWN, 0), 0, 0);
	return true;
}

static void abort_trap(struct sim_uc *u, struct pvm_trap *trap, uint64_t pc)
{
	uint64_t esr, ipa = u->fault_ipa;

	if (u->fault_acc == PVM_SIM_EXEC)
		esr = esr_of(PVM_EC_IABT_LOW, u->fault_fsc);
	else
		esr = sim_insn_dabt_esr(insn_at(u, pc), u->fault_fsc,
					u->fault_acc == PVM_SIM_WRITE);
	/* MMU off: FAR_EL2 is the IPA. */
	trap_sync(trap, esr, ipa, pvm_hpfar_from_ipa(ipa));
}

/* Run until a trap for the core. The engine holds the guest's registers. */
static void run(struct sim_uc *u, struct pvm_vcpu_ctx *ctx, struct pvm_trap *trap)
{
	uint64_t pc = ctx->regs.pc;

	for (;;) {
		bool stopped;
		uc_err err;

		if (__atomic_load_n(&u->has_pend, __ATOMIC_ACQUIRE))
			apply_pending(u);
		if (u->merge)
			merge_adjacent(u);
		u->why = W_NONE;
		pthread_mutex_lock(&u->lock);
		u->running = true;
		u->stopped = false;
		pthread_mutex_unlock(&u->lock);
		/* A kick that came before running was set found nothing to stop. */
		if (__atomic_load_n(&u->v->kick, __ATOMIC_SEQ_CST)) {
			pthread_mutex_lock(&u->lock);
			u->running = false;
			u->gen++;
			pthread_mutex_unlock(&u->lock);
			(void)sim_vcpu_take_kick(u->v);
			trap->kind = PVM_TRAP_IRQ;
			save(u, &ctx->regs);
			ctx->regs.pc = pc;
			return;
		}
		err = uc_emu_start(u->uc, pc, 0, 0, 0);
		pthread_mutex_lock(&u->lock);
		u->running = false;
		stopped = u->stopped;
		u->gen++;
		pthread_mutex_unlock(&u->lock);
		save(u, &ctx->regs);
		pc = ctx->regs.pc;

		switch (u->why) {
		case W_ABORT:
			abort_trap(u, trap, pc);
			return;
		case W_INTR:
			if (on_exception(u, ctx, trap))
				return;
			/* Taken inside the guest, or emulated: continue at its PC. */
			load(u, &ctx->regs);
			pc = ctx->regs.pc;
			continue;
		case W_REFRESH:
			if (u->refresh_ipa == ~0ull)
				drop_all(u);
			else
				drop_ipa(u, u->refresh_ipa);
			continue;
		case W_BROKEN:
			trap->kind = PVM_TRAP_HALT;
			return;
		case W_IRQ:
			/* Stopped before the instruction at pc: the IRQ's return address. */
			take_el1(&ctx->regs, PVM_VEC_IRQ, pc);
			load(u, &ctx->regs);
			pc = ctx->regs.pc;
			continue;
		case W_NONE:
		default:
			break;
		}
		if (err != UC_ERR_OK) {
			/* Unicorn failed in a way no hook explained. */
			trap->kind = PVM_TRAP_HALT;
			return;
		}
		if (sim_vcpu_take_kick(u->v)) {
			trap->kind = PVM_TRAP_IRQ;
			return;
		}
		if (stopped)
			continue; /* an invalidation: applied before running again */
		if (insn_at(u, pc - 4) == INSN_WFI) {
			/* A WFI with an interrupt signalled (masked or not) does not wait. */
			irq_update(u);
			if (u->irq)
				continue;
			/* Unicorn halts past the WFI; a trapped WFI reports itself. */
			ctx->regs.pc = pc - 4;
			trap_sync(trap, esr_of(PVM_EC_WFX, 0), 0, 0);
			return;
		}
		/* A stop nobody asked for: run on. */
	}
}

void sim_uc_enter(struct sim_uc *u, struct pvm_vcpu_ctx *ctx, struct pvm_trap *trap)
{
	struct pvm_vcpu_regs *r = &ctx->regs;

	set_regime(u, ctx);
	/* HCR_EL2.VI is not used: the CPU interface decides (as on the EL2 port). */
	u->ctx = ctx;
	irq_update(u);
	if (u->irq && !(r->pstate & PVM_PSTATE_I))
		take_el1(r, PVM_VEC_IRQ, r->pc);
	load(u, r);
	run(u, ctx, trap);
}
