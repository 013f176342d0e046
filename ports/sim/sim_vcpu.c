/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The world switch of the simulated machine: pvm_port_vcpu_enter() finds
 * the backend attached to the vCPU and resumes it until it traps.
 */
#include <libpvm/port.h>

#include <stdlib.h>

#include "sim_internal.h"
#include "sim_vcpu_internal.h"

static struct sim_vcpu *registry[PVM_VM_MAX][PVM_VCPU_MAX];

struct sim_vcpu *sim_vcpu_get(unsigned vm, unsigned index)
{
	if (vm >= PVM_VM_MAX || index >= PVM_VCPU_MAX)
		return NULL;
	return __atomic_load_n(&registry[vm][index], __ATOMIC_ACQUIRE);
}

static pvm_status_t attach(unsigned vm, unsigned index, enum sim_vcpu_kind kind,
			   pvm_sim_guest_fn fn, void *arg)
{
	struct sim_vcpu *v;

	if (vm >= PVM_VM_MAX || index >= PVM_VCPU_MAX || (kind == SIM_VCPU_FN && !fn))
		return PVM_E_INVAL;
	if (sim_vcpu_get(vm, index))
		return PVM_E_EXISTS;
	v = calloc(1, sizeof(*v));
	if (!v)
		return PVM_E_NOMEM;
	v->kind = kind;
	v->vm = vm;
	v->index = index;
	if (kind == SIM_VCPU_FN)
		v->c = sim_cguest_new(v, fn, arg);
	else
		v->uc = sim_uc_new(v);
	if (!v->c && !v->uc) {
		free(v);
		return kind == SIM_VCPU_FN ? PVM_E_NOMEM : PVM_E_NOTSUP;
	}
	__atomic_store_n(&registry[vm][index], v, __ATOMIC_RELEASE);
	return PVM_OK;
}

pvm_status_t pvm_sim_vcpu_attach_fn(unsigned vm, unsigned index, pvm_sim_guest_fn fn, void *arg)
{
	return attach(vm, index, SIM_VCPU_FN, fn, arg);
}

pvm_status_t pvm_sim_vcpu_attach_unicorn(unsigned vm, unsigned index)
{
	return attach(vm, index, SIM_VCPU_UNICORN, NULL, NULL);
}

void pvm_sim_vcpu_detach(unsigned vm, unsigned index)
{
	struct sim_vcpu *v = sim_vcpu_get(vm, index);

	if (!v)
		return;
	__atomic_store_n(&registry[vm][index], NULL, __ATOMIC_RELEASE);
	if (v->c)
		sim_cguest_free(v->c);
	if (v->uc)
		sim_uc_free(v->uc);
	free(v);
}

void sim_vcpu_detach_all(void)
{
	unsigned vm, i;

	for (vm = 0; vm < PVM_VM_MAX; vm++)
		for (i = 0; i < PVM_VCPU_MAX; i++)
			pvm_sim_vcpu_detach(vm, i);
}

void pvm_sim_vcpu_kick(unsigned vm, unsigned index)
{
	struct sim_vcpu *v = sim_vcpu_get(vm, index);

	if (!v)
		return;
	__atomic_store_n(&v->kick, 1, __ATOMIC_RELEASE);
	if (v->uc)
		sim_uc_kick(v->uc);
}

bool sim_vcpu_take_kick(struct sim_vcpu *v)
{
	return __atomic_exchange_n(&v->kick, 0, __ATOMIC_ACQ_REL) != 0;
}

int sim_virq_take(struct pvm_vcpu_ctx *ctx)
{
	unsigned w;

	for (w = 0; w < SIM_ARRAY_SIZE(ctx->virq); w++) {
		uint32_t bits = __atomic_load_n(&ctx->virq[w], __ATOMIC_ACQUIRE);

		while (bits) {
			unsigned b = (unsigned)__builtin_ctz(bits);
			uint32_t old =
				__atomic_fetch_and(&ctx->virq[w], ~(1u << b), __ATOMIC_ACQ_REL);

			if (old & (1u << b))
				return (int)(w * 32 + b);
			bits = old & ~(1u << b);
		}
	}
	return -1;
}

/* The simulated CPUs take virtual IRQs from the bitmap (HCR_EL2.VI): queue them all. */
pvm_status_t pvm_port_vcpu_irq(unsigned vm, unsigned index, unsigned intid, bool *queue)
{
	(void)vm;
	(void)index;
	(void)intid;
	*queue = true;
	return PVM_OK;
}

void pvm_port_vcpu_enter(struct pvm_vcpu_ctx *ctx, struct pvm_trap *trap)
{
	struct sim_vcpu *v = sim_vcpu_get(ctx->vm, ctx->index);

	if (!v) {
		/* No CPU behind this vCPU: it can never run. */
		trap->kind = PVM_TRAP_HALT;
		return;
	}
	if (sim_vcpu_take_kick(v)) {
		trap->kind = PVM_TRAP_IRQ;
		return;
	}
	if (v->kind == SIM_VCPU_FN)
		sim_cguest_enter(v->c, ctx, trap);
	else
		sim_uc_enter(v->uc, ctx, trap);
}

/* The simulated CPUs do not trap ID register reads (no HCR_EL2.TID3): nothing asks. */
uint64_t pvm_port_id_reg(unsigned crm, unsigned op2)
{
	(void)crm;
	(void)op2;
	return 0;
}
