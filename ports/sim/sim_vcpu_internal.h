/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulator's guest CPUs: the registry pvm_port_vcpu_enter() dispatches
 * through, and the two kinds of backend. Not installed.
 */
#ifndef PVM_SIM_VCPU_INTERNAL_H
#define PVM_SIM_VCPU_INTERNAL_H

#include <libpvm/sim_vcpu.h>
#include <libpvm/vcpu.h>

enum sim_vcpu_kind {
	SIM_VCPU_FN = 1,
	SIM_VCPU_UNICORN = 2,
};

struct sim_cguest;
struct sim_uc;

struct sim_vcpu {
	enum sim_vcpu_kind kind;
	unsigned vm, index;
	int kick; /* atomic: a kick is pending */
	struct sim_cguest *c;
	struct sim_uc *uc;
};

/* The backend of (vm, index), or NULL. */
struct sim_vcpu *sim_vcpu_get(unsigned vm, unsigned index);

/* Consume a pending kick (true if there was one). */
bool sim_vcpu_take_kick(struct sim_vcpu *v);

/* C-function guests (sim_cguest.c). */
struct sim_cguest *sim_cguest_new(struct sim_vcpu *v, pvm_sim_guest_fn fn, void *arg);
void sim_cguest_free(struct sim_cguest *g);
void sim_cguest_enter(struct sim_cguest *g, struct pvm_vcpu_ctx *ctx, struct pvm_trap *trap);

/* Unicorn guests (sim_unicorn.c). */
struct sim_uc *sim_uc_new(struct sim_vcpu *v);
void sim_uc_free(struct sim_uc *u);
void sim_uc_enter(struct sim_uc *u, struct pvm_vcpu_ctx *ctx, struct pvm_trap *trap);
void sim_uc_kick(struct sim_uc *u);
/* A TLBI for (vmid, ipa) or the whole VMID (all = true): drop mirrored pages. */
void sim_uc_tlbi(uint16_t vmid, uint64_t ipa, bool all);
/*
 * Engines alive, under the sim lock. A TLBI hook that finds none there
 * skips sim_uc_tlbi() and its locks: an engine counted later holds no
 * mirror yet, and fills it after the sim lock ordered it behind the table
 * write the TLBI follows.
 */
extern unsigned sim_uc_live;

/* The ESR_EL2 of a stage-2 data abort by the load/store @insn (for tests too). */
uint64_t sim_insn_dabt_esr(uint32_t insn, unsigned fsc, bool write);

/* Regions the Unicorn engine of (vm, index) has mapped (for tests). */
unsigned sim_uc_region_count(unsigned vm, unsigned index);

/* Pop the lowest pending virtual INTID of ctx (atomically), or -1. */
int sim_virq_take(struct pvm_vcpu_ctx *ctx);

/*
 * The binary guests' GICv3 virtual CPU interface and virtual timer
 * (sim_vgic.c), on the vCPU context: ctx->vgic, ctx->virq and the CNTV_*
 * registers of ctx->regs.sys.
 */
enum sim_icc {
	SIM_ICC_NONE = 0, /* not an ICC_* register */
	SIM_ICC_OTHER,	  /* an ICC_* register this interface does not have: UNDEFINED */
	SIM_ICC_PMR,
	SIM_ICC_IAR1,
	SIM_ICC_EOIR1,
	SIM_ICC_HPPIR1,
	SIM_ICC_BPR1,
	SIM_ICC_DIR,
	SIM_ICC_RPR,
	SIM_ICC_CTLR,
	SIM_ICC_SRE,
	SIM_ICC_IGRPEN1,
};
/* The register an MRS/MSR names (op0, op1, CRn, CRm, op2). */
enum sim_icc sim_icc_decode(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2);
/* MRS: true with *val; false: UNDEFINED. @timer: the timer's PPI is asserted. */
bool sim_icc_read(struct pvm_vcpu_ctx *ctx, enum sim_icc reg, bool timer, uint64_t *val);
/* MSR: true if done; false: UNDEFINED. */
bool sim_icc_write(struct pvm_vcpu_ctx *ctx, enum sim_icc reg, uint64_t val);
/* The interface signals an IRQ to the CPU (PSTATE.I decides whether it is taken). */
bool sim_icc_irq(const struct pvm_vcpu_ctx *ctx, bool timer);

/* CNTV_TVAL_EL0, CNTV_CTL_EL0, CNTV_CVAL_EL0: op2 of S3_3_C14_C3_<op2>. */
enum { SIM_CNTV_TVAL = 0, SIM_CNTV_CTL = 1, SIM_CNTV_CVAL = 2 };
/* An access to one of them at count @now: false if @op2 names none. */
bool sim_timer_access(struct pvm_vcpu_ctx *ctx, unsigned op2, bool write, uint64_t *val,
		      uint64_t now);
/* The timer's interrupt (PPI 27) is asserted at @now. */
bool sim_timer_level(const struct pvm_vcpu_ctx *ctx, uint64_t now);
/* The timer is enabled, unmasked and will assert its interrupt later than @now. */
bool sim_timer_armed(const struct pvm_vcpu_ctx *ctx, uint64_t now);

#endif
