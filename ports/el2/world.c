/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The world switch: pvm_port_vcpu_enter() on the hardware.
 *
 * The host called PVM_HC_VCPU_RUN through HVC and waits for its answer: its
 * GPRs are in the el2_frame the vector saved on the EL2 stack, the rest of
 * its EL1 context is still in the CPU. So a guest run saves the host's EL1
 * system registers (and the EL2 registers that describe the host: ELR/SPSR
 * of its HVC, HCR, VTTBR, VTCR, VMPIDR, CPTR), loads the guest's, runs it
 * (world.S) until it traps, saves the guest's back into its context and puts
 * the host's back: the host never observes that a guest ran.
 *
 * FP/SIMD, lazily as pKVM does: a run starts with CPTR_EL2.TFP set, so the
 * guest's first FP/SIMD instruction (with its own CPACR_EL1.FPEN open: that
 * EL1 trap has priority) traps here, EC 0x07. The port handles that trap
 * itself and the core never sees it: it saves the host's V0..V31, FPSR and
 * FPCR (the hypervisor, built with -mgeneral-regs-only, never touches them,
 * so they are still the host's), loads the vCPU's (regs.fp), clears TFP and
 * resumes the guest at the same instruction. When the run ends with the
 * guest's registers loaded, they go back to regs.fp and the host's are
 * restored. A run that uses no FP/SIMD costs nothing. The save and load are
 * fpsimd.S, the image's only FP/SIMD code (check-no-fp.sh).
 *
 * SVE and SME stay trapped (CPTR_EL2.TZ, TSM: the guest's regs.fp holds only
 * the 128-bit V registers, not Z/P/ZA): such an instruction with the guest's
 * CPACR_EL1.ZEN/SMEN open traps with EC 0x19 or 0x1d, which the core does
 * not handle: it injects an undefined-instruction exception into the guest
 * and reports a guest-fault exit (PVM_FAULT_UNDEF), as on a CPU without the
 * feature.
 *
 * TLBs: stage-1 and stage-2 entries are tagged with the VMID of VTTBR_EL2,
 * and the host (VMID 0) and every VM have different VMIDs, so switching
 * VTTBR_EL2 needs no invalidation; the core invalidates a VMID when it
 * changes that VM's stage-2 or frees the VMID (pvm_port_tlbi_*). VTCR_EL2 is
 * not tagged: it is loaded with the VTTBR, before the ERET that makes both
 * take effect.
 *
 * Interrupts and timers (vgic.c has the details): the guest's GICv3
 * virtual CPU interface (list registers, ICH_VMCR_EL2, active priorities)
 * is loaded from and saved to ctx->vgic around every run, the pending
 * INTIDs of ctx->virq going into list registers; its virtual timer
 * (CNTV_CTL_EL0, CNTV_CVAL_EL0, part of the EL1 registers below; CNTVOFF_EL2
 * is 0 for every world) is its own, delivered as PPI 27 through a
 * hardware-linked list register. The EL1 physical timer is the host's (its
 * time slice, PPI 30): CNTHCTL_EL2.EL1PCEN is clear while a guest runs, so
 * a guest's CNTP_* access traps and the core makes it UNDEFINED; the
 * counter (CNTPCT_EL0, EL1PCTEN) stays readable. A physical IRQ while the
 * guest runs traps here (HCR_EL2.IMO): the guest's own timer is delivered
 * and the guest resumed at once; anything else is the host's and ends the
 * run (PVM_TRAP_IRQ, an INTERRUPTED exit).
 *
 * Debug and PMU, as pKVM has them for protected guests: not the guest's.
 * While a guest runs, MDCR_EL2 traps its accesses to the debug registers
 * (TDA, TDOSA, TDRA: DBGB*, DBGW*, MDSCR_EL1, OSLAR...) and to the PMU
 * (TPM, TPMCR), so that they are UNDEFINED for it (the core's answer to an
 * EC 0x18 it does not handle): the registers are not switched, and a guest
 * that wrote one would leave its value for the host to read, or read the
 * host's. The host's own debug and PMU set-up must not reach into the
 * guest either: MDSCR_EL1 is 0 for the run (no breakpoint, watchpoint or
 * step of the host's fires in the guest), and PMCR_EL0.E is clear (the
 * host's event and cycle counters do not count the guest's execution, a
 * side channel on it); both are the host's again after the run.
 * Pointer-authentication keys are the guest's own, as pKVM has them: the
 * core sets HCR_EL2.APK/API for guests (a kernel built with PAC signs its
 * return addresses from its first function on and writes its keys at boot;
 * trapped, both would be UNDEFINED), and on a CPU with PAC the port saves
 * the host's five keys and loads the vCPU's (regs.pauth) around every run.
 * On a CPU without PAC the bits are cleared (the instructions are NOPs or
 * UNDEFINED there anyway) and there are no keys to switch.
 */
#include <stddef.h>

#include <libpvm/arch.h>
#include <libpvm/esr.h>
#include <libpvm/port.h>
#include <libpvm/vcpu.h>

#include "el2.h"
#include "world.h"

_Static_assert(offsetof(struct pvm_vcpu_regs, x) == WORLD_X0, "world.h: x0");
_Static_assert(offsetof(struct pvm_vcpu_regs, sp_el0) == WORLD_SP_EL0, "world.h: sp_el0");
_Static_assert(offsetof(struct pvm_vcpu_regs, pc) == WORLD_PC, "world.h: pc");
_Static_assert(offsetof(struct pvm_vcpu_regs, pstate) == WORLD_PC + 8, "world.h: pstate");
_Static_assert(offsetof(struct pvm_vcpu_ctx, regs) == 0, "world.S takes the ctx as regs");

_Static_assert(offsetof(struct pvm_vcpu_regs, fpsr) == offsetof(struct pvm_vcpu_regs, fp) + 512 &&
		       offsetof(struct pvm_vcpu_regs, fpcr) ==
			       offsetof(struct pvm_vcpu_regs, fp) + 520,
	       "fpsimd.S: V0..V31, FPSR, FPCR");

/* CPTR_EL2 with HCR_EL2.E2H = 0: RES1 bits 13, 9, 7:0; traps TZ (8), TFP (10), TSM (12). */
#define CPTR_EL2_RES1 0x32ffull
#define CPTR_EL2_TZ   (1ull << 8)
#define CPTR_EL2_TFP  (1ull << 10)
#define CPTR_EL2_TSM  (1ull << 12)
#define EC_FP	      0x07u /* FP/SIMD access trapped by CPTR_EL2.TFP */
#define VECTOR_SYNC   8u    /* el2_guest_run(): a synchronous exception from the guest */
/* CNTHCTL_EL2 (HCR_EL2.E2H = 0): EL1PCTEN (counter), EL1PCEN (EL1 physical timer). */
#define CNTHCTL_EL1PCTEN (1ull << 0)
#define CNTHCTL_EL1PCEN	 (1ull << 1)
#define CNTHCTL_HOST	 (CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN)
#define CNTHCTL_GUEST	 CNTHCTL_EL1PCTEN
/* MDCR_EL2: trap PMCR_EL0 (5), the other PMU registers (6), debug (9), OS lock (10), DBGDRAR (11).
 */
#define MDCR_GUEST_TRAPS ((1ull << 5) | (1ull << 6) | (1ull << 9) | (1ull << 10) | (1ull << 11))
#define PMCR_E		 (1ull << 0) /* PMU counters enabled */

/* ID_AA64DFR0_EL1.PMUVer: a PMUv3 (not none, not IMPLEMENTATION DEFINED), so PMCR_EL0 exists. */
static bool has_pmu(void)
{
	unsigned v = (unsigned)(read_sysreg(id_aa64dfr0_el1) >> 8) & 0xf;

	return v && v != 0xf;
}

/* ID_AA64ISAR1_EL1.APA/API/GPA/GPI or ID_AA64ISAR2_EL1.APA3/GPA3: the CPU has the keys. */
static bool has_pauth(void)
{
	uint64_t isar1 = read_sysreg(id_aa64isar1_el1);
	uint64_t isar2 = read_sysreg(S3_0_C0_C6_2);

	return (isar1 & 0xff000ff0ull) || (isar2 & 0xff00ull);
}

/*
 * The five pointer-authentication keys (Lo, Hi each) to k[0..9], or from
 * it: APIAKey, APIBKey, APDAKey, APDBKey, APGAKey_EL1 by encoding (S3_0_C2_C1..3).
 */
static void pauth_save(uint64_t *k)
{
	k[0] = read_sysreg(S3_0_C2_C1_0);
	k[1] = read_sysreg(S3_0_C2_C1_1);
	k[2] = read_sysreg(S3_0_C2_C1_2);
	k[3] = read_sysreg(S3_0_C2_C1_3);
	k[4] = read_sysreg(S3_0_C2_C2_0);
	k[5] = read_sysreg(S3_0_C2_C2_1);
	k[6] = read_sysreg(S3_0_C2_C2_2);
	k[7] = read_sysreg(S3_0_C2_C2_3);
	k[8] = read_sysreg(S3_0_C2_C3_0);
	k[9] = read_sysreg(S3_0_C2_C3_1);
}

static void pauth_load(const uint64_t *k)
{
	write_sysreg(k[0], S3_0_C2_C1_0);
	write_sysreg(k[1], S3_0_C2_C1_1);
	write_sysreg(k[2], S3_0_C2_C1_2);
	write_sysreg(k[3], S3_0_C2_C1_3);
	write_sysreg(k[4], S3_0_C2_C2_0);
	write_sysreg(k[5], S3_0_C2_C2_1);
	write_sysreg(k[6], S3_0_C2_C2_2);
	write_sysreg(k[7], S3_0_C2_C2_3);
	write_sysreg(k[8], S3_0_C2_C3_0);
	write_sysreg(k[9], S3_0_C2_C3_1);
}

/* world.S */
unsigned el2_guest_run(struct pvm_vcpu_regs *regs);
/* fpsimd.S: V0..V31, FPSR, FPCR to or from area[0..65]; CPTR_EL2.TFP must be clear. */
void el2_fpsimd_save(uint64_t *area);
void el2_fpsimd_load(const uint64_t *area);

/* What the host had in the registers a guest run changes. */
struct host_state {
	uint64_t sys[PVM_SYS_NR];
	uint64_t sp_el0, elr_el2, spsr_el2, hcr, vttbr, vtcr, cptr, mdcr, mdscr, pmcr;
	uint64_t pauth[10];
	uint64_t fp[66] __attribute__((aligned(16))); /* V0..V31, FPSR, FPCR: lazily */
};

/* Save the EL1 registers of enum pvm_sysreg (MPIDR_EL1 is VMPIDR_EL2's). */
static void el1_save(uint64_t *s)
{
	s[PVM_SYS_SP_EL1] = read_sysreg(sp_el1);
	s[PVM_SYS_ELR_EL1] = read_sysreg(elr_el1);
	s[PVM_SYS_SPSR_EL1] = read_sysreg(spsr_el1);
	s[PVM_SYS_ESR_EL1] = read_sysreg(esr_el1);
	s[PVM_SYS_FAR_EL1] = read_sysreg(far_el1);
	s[PVM_SYS_VBAR_EL1] = read_sysreg(vbar_el1);
	s[PVM_SYS_SCTLR_EL1] = read_sysreg(sctlr_el1);
	s[PVM_SYS_TTBR0_EL1] = read_sysreg(ttbr0_el1);
	s[PVM_SYS_TTBR1_EL1] = read_sysreg(ttbr1_el1);
	s[PVM_SYS_TCR_EL1] = read_sysreg(tcr_el1);
	s[PVM_SYS_MAIR_EL1] = read_sysreg(mair_el1);
	s[PVM_SYS_AMAIR_EL1] = read_sysreg(amair_el1);
	s[PVM_SYS_CONTEXTIDR_EL1] = read_sysreg(contextidr_el1);
	s[PVM_SYS_TPIDR_EL0] = read_sysreg(tpidr_el0);
	s[PVM_SYS_TPIDRRO_EL0] = read_sysreg(tpidrro_el0);
	s[PVM_SYS_TPIDR_EL1] = read_sysreg(tpidr_el1);
	s[PVM_SYS_CPACR_EL1] = read_sysreg(cpacr_el1);
	s[PVM_SYS_CNTKCTL_EL1] = read_sysreg(cntkctl_el1);
	s[PVM_SYS_PAR_EL1] = read_sysreg(par_el1);
	s[PVM_SYS_AFSR0_EL1] = read_sysreg(afsr0_el1);
	s[PVM_SYS_AFSR1_EL1] = read_sysreg(afsr1_el1);
	s[PVM_SYS_CNTV_CTL_EL0] = read_sysreg(cntv_ctl_el0);
	s[PVM_SYS_CNTV_CVAL_EL0] = read_sysreg(cntv_cval_el0);
	s[PVM_SYS_MPIDR_EL1] = read_sysreg(vmpidr_el2);
}

static void el1_load(const uint64_t *s)
{
	write_sysreg(s[PVM_SYS_SP_EL1], sp_el1);
	write_sysreg(s[PVM_SYS_ELR_EL1], elr_el1);
	write_sysreg(s[PVM_SYS_SPSR_EL1], spsr_el1);
	write_sysreg(s[PVM_SYS_ESR_EL1], esr_el1);
	write_sysreg(s[PVM_SYS_FAR_EL1], far_el1);
	write_sysreg(s[PVM_SYS_VBAR_EL1], vbar_el1);
	write_sysreg(s[PVM_SYS_SCTLR_EL1], sctlr_el1);
	write_sysreg(s[PVM_SYS_TTBR0_EL1], ttbr0_el1);
	write_sysreg(s[PVM_SYS_TTBR1_EL1], ttbr1_el1);
	write_sysreg(s[PVM_SYS_TCR_EL1], tcr_el1);
	write_sysreg(s[PVM_SYS_MAIR_EL1], mair_el1);
	write_sysreg(s[PVM_SYS_AMAIR_EL1], amair_el1);
	write_sysreg(s[PVM_SYS_CONTEXTIDR_EL1], contextidr_el1);
	write_sysreg(s[PVM_SYS_TPIDR_EL0], tpidr_el0);
	write_sysreg(s[PVM_SYS_TPIDRRO_EL0], tpidrro_el0);
	write_sysreg(s[PVM_SYS_TPIDR_EL1], tpidr_el1);
	write_sysreg(s[PVM_SYS_CPACR_EL1], cpacr_el1);
	write_sysreg(s[PVM_SYS_CNTKCTL_EL1], cntkctl_el1);
	write_sysreg(s[PVM_SYS_PAR_EL1], par_el1);
	write_sysreg(s[PVM_SYS_AFSR0_EL1], afsr0_el1);
	write_sysreg(s[PVM_SYS_AFSR1_EL1], afsr1_el1);
	write_sysreg(s[PVM_SYS_CNTV_CTL_EL0], cntv_ctl_el0);
	write_sysreg(s[PVM_SYS_CNTV_CVAL_EL0], cntv_cval_el0);
	write_sysreg(s[PVM_SYS_MPIDR_EL1], vmpidr_el2);
}

static void host_save(struct host_state *h)
{
	el1_save(h->sys);
	h->sp_el0 = read_sysreg(sp_el0);
	h->elr_el2 = read_sysreg(elr_el2);
	h->spsr_el2 = read_sysreg(spsr_el2);
	h->hcr = read_sysreg(hcr_el2);
	h->vttbr = read_sysreg(vttbr_el2);
	h->vtcr = read_sysreg(vtcr_el2);
	h->cptr = read_sysreg(cptr_el2);
	h->mdcr = read_sysreg(mdcr_el2);
	h->mdscr = read_sysreg(mdscr_el1);
	h->pmcr = has_pmu() ? read_sysreg(pmcr_el0) : 0;
}

static void host_load(const struct host_state *h)
{
	el1_load(h->sys);
	write_sysreg(h->sp_el0, sp_el0);
	write_sysreg(h->elr_el2, elr_el2);
	write_sysreg(h->spsr_el2, spsr_el2);
	write_sysreg(h->hcr, hcr_el2);
	write_sysreg(h->vtcr, vtcr_el2);
	write_sysreg(h->vttbr, vttbr_el2);
	write_sysreg(h->cptr, cptr_el2);
	write_sysreg(CNTHCTL_HOST, cnthctl_el2);
	write_sysreg(h->mdscr, mdscr_el1);
	if (has_pmu())
		write_sysreg(h->pmcr, pmcr_el0);
	write_sysreg(h->mdcr, mdcr_el2);
	isb();
}

/*
 * The guest's first FP/SIMD access of this run: the host's registers out,
 * the vCPU's in, the trap off for the rest of the run.
 */
static void fp_switch_to_guest(struct host_state *host, const struct pvm_vcpu_regs *regs)
{
	write_sysreg(CPTR_EL2_RES1 | CPTR_EL2_TZ | CPTR_EL2_TSM, cptr_el2);
	isb();
	el2_fpsimd_save(host->fp);
	el2_fpsimd_load(regs->fp);
}

/*
 * Interrupts are masked at EL2 throughout (nothing unmasks them), so
 * nothing runs between the save of the host and its restore but this.
 */
void pvm_port_vcpu_enter(struct pvm_vcpu_ctx *ctx, struct pvm_trap *trap)
{
	struct host_state host;
	bool guest_fp = false;
	unsigned vector;

	bool pauth = has_pauth();

	host_save(&host);
	el1_load(ctx->regs.sys);
	if (pauth) {
		pauth_save(host.pauth);
		pauth_load(ctx->regs.pauth);
	}
	write_sysreg(ctx->vtcr, vtcr_el2);
	write_sysreg(ctx->vttbr, vttbr_el2);
	/* Virtual interrupts come through the list registers alone: never VI as well. */
	write_sysreg(ctx->hcr & ~(PVM_HCR_VI | (pauth ? 0 : PVM_HCR_APK | PVM_HCR_API)), hcr_el2);
	write_sysreg(CPTR_EL2_RES1 | CPTR_EL2_TZ | CPTR_EL2_TFP | CPTR_EL2_TSM, cptr_el2);
	write_sysreg(CNTHCTL_GUEST, cnthctl_el2);
	if (has_pmu())
		write_sysreg(host.pmcr & ~PMCR_E, pmcr_el0);
	write_sysreg(0, mdscr_el1);
	write_sysreg(host.mdcr | MDCR_GUEST_TRAPS, mdcr_el2);

	for (;;) {
		el2_vgic_load(ctx);
		vector = el2_guest_run(&ctx->regs);
		/* The syndrome first: nothing below may overwrite it, but read it fresh. */
		trap->kind = vector & 3; /* sync, IRQ, FIQ, SError: pvm_trap_kind's order */
		trap->esr = read_sysreg(esr_el2);
		trap->far = read_sysreg(far_el2);
		trap->hpfar = read_sysreg(hpfar_el2);
		el2_vgic_save(ctx);
		if (vector == VECTOR_SYNC && PVM_ESR_EC(trap->esr) == EC_FP && !guest_fp) {
			/* ELR_EL2 (regs.pc) is the trapped instruction: it runs again, untrapped.
			 */
			fp_switch_to_guest(&host, &ctx->regs);
			guest_fp = true;
		} else if (trap->kind != PVM_TRAP_IRQ || !el2_vgic_timer_irq()) {
			break;
		}
	}
	el1_save(ctx->regs.sys);
	if (pauth) {
		pauth_save(ctx->regs.pauth);
		pauth_load(host.pauth);
	}
	if (guest_fp) {
		el2_fpsimd_save(ctx->regs.fp);
		el2_fpsimd_load(host.fp);
	}
	host_load(&host);
}
