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

#endif
