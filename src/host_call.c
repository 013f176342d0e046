/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host-call dispatcher: the host's HVC registers in, one core
 * operation, a status and results out. Nothing here trusts a register;
 * each argument is checked by the operation it reaches (range checks are
 * theirs), this file only refuses what cannot even be passed on: values
 * that do not fit the parameter they are meant for.
 */
#include <libpvm/abi.h>
#include <libpvm/attest.h>
#include <libpvm/host_call.h>

#include <string.h>

#include "mem_internal.h"

#define U32_OK(v) ((v) <= 0xffffffffull)

void pvm_exit_pack(const struct pvm_exit *e, uint64_t x[8])
{
	memset(&x[1], 0, 7 * sizeof(x[0]));
	x[1] = e->kind;
	switch (e->kind) {
	case PVM_EXIT_MMIO:
		x[2] = e->mmio.ipa;
		x[3] = e->mmio.data;
		x[4] = e->mmio.size | ((uint64_t)e->mmio.write << 8);
		break;
	case PVM_EXIT_MEM_FAULT:
		x[2] = e->mem_fault.ipa;
		x[3] = (uint64_t)e->mem_fault.write | ((uint64_t)e->mem_fault.exec << 1);
		break;
	case PVM_EXIT_PSCI:
		x[2] = e->psci.fn;
		x[3] = e->psci.target;
		break;
	case PVM_EXIT_HVC:
		memcpy(&x[2], e->hvc.x, sizeof(e->hvc.x));
		break;
	case PVM_EXIT_MEM_SHARE:
		x[2] = e->share.ipa;
		x[3] = e->share.pages;
		x[4] = e->share.op;
		break;
	case PVM_EXIT_GUEST_FAULT:
		x[2] = e->fault.reason;
		x[3] = e->fault.ipa;
		break;
	case PVM_EXIT_INTERNAL:
		x[2] = (uint64_t)(int64_t)e->internal.status;
		x[3] = e->internal.esr;
		break;
	case PVM_EXIT_NEED_PAGES:
		x[2] = e->need.pages;
		break;
	case PVM_EXIT_WFI:
		x[2] = e->wfi.deadline;
		break;
	case PVM_EXIT_IPI:
		x[2] = e->ipi.targets;
		x[3] = e->ipi.intid;
		break;
	default:
		break;
	}
}

pvm_status_t pvm_exit_unpack(const uint64_t x[8], struct pvm_exit *e)
{
	if (!x || !e)
		return PVM_E_INVAL;
	memset(e, 0, sizeof(*e));
	e->kind = (uint32_t)x[1];
	switch (x[1]) {
	case PVM_EXIT_MMIO:
		e->mmio.ipa = x[2];
		e->mmio.data = x[3];
		e->mmio.size = (uint8_t)x[4];
		e->mmio.write = (x[4] >> 8) & 1;
		break;
	case PVM_EXIT_MEM_FAULT:
		e->mem_fault.ipa = x[2];
		e->mem_fault.write = x[3] & 1;
		e->mem_fault.exec = (x[3] >> 1) & 1;
		break;
	case PVM_EXIT_PSCI:
		e->psci.fn = (uint32_t)x[2];
		e->psci.target = (uint32_t)x[3];
		break;
	case PVM_EXIT_HVC:
		memcpy(e->hvc.x, &x[2], sizeof(e->hvc.x));
		break;
	case PVM_EXIT_MEM_SHARE:
		e->share.ipa = x[2];
		e->share.pages = x[3];
		e->share.op = (uint32_t)x[4];
		break;
	case PVM_EXIT_GUEST_FAULT:
		e->fault.reason = (uint32_t)x[2];
		e->fault.ipa = x[3];
		break;
	case PVM_EXIT_INTERNAL:
		e->internal.status = (int32_t)x[2];
		e->internal.esr = x[3];
		break;
	case PVM_EXIT_NEED_PAGES:
		e->need.pages = x[2];
		break;
	case PVM_EXIT_WFI:
		e->wfi.deadline = x[2];
		break;
	case PVM_EXIT_IPI:
		e->ipi.targets = x[2];
		e->ipi.intid = (uint32_t)x[3];
		break;
	case PVM_EXIT_INTERRUPTED:
		break;
	default:
		return PVM_E_INVAL;
	}
	return PVM_OK;
}

static pvm_status_t vm_create(struct pvm_hyp *hyp, uint64_t *x)
{
	struct pvm_vm_config cfg = {0};
	uint64_t flags = x[1];
	unsigned handle = 0;
	size_t need = 0;
	pvm_status_t ret;

	x[1] = 0; /* never a handle unless one was made */
	if ((flags & ~1ull) || !U32_OK(x[2]))
		return PVM_E_INVAL;
	cfg.protected_vm = flags & 1;
	cfg.ipa_bits = (unsigned)x[2];
	cfg.ram_base = x[5];
	cfg.ram_size = x[6];
	ret = pvm_vm_create(hyp, &cfg, pvm_pa(x[3]), x[4], &handle, &need);
	x[1] = ret == PVM_E_NOMEM ? need : ret ? 0 : handle;
	return ret;
}

static pvm_status_t vcpu_run(struct pvm_hyp *hyp, uint64_t *x)
{
	struct pvm_exit e;
	pvm_status_t ret;

	/* A handle or index that cannot exist names nothing, as for every other call. */
	if (!U32_OK(x[1]) || !U32_OK(x[2]))
		return PVM_E_NOENT;
	if (x[3] & ~(uint64_t)PVM_HC_RUN_F_ABORT)
		return PVM_E_INVAL;
	/*
	 * The completion: the core reads only the field of the exit it waits
	 * for (an MMIO read's value aliases the first result of a call).
	 */
	_Static_assert(offsetof(struct pvm_exit, mmio.data) == offsetof(struct pvm_exit, hvc.x),
		       "an MMIO read's value and a call's x0 share x4");
	memset(&e, 0, sizeof(e));
	e.flags = (x[3] & PVM_HC_RUN_F_ABORT) ? PVM_EXIT_F_ABORT : 0;
	memcpy(e.hvc.x, &x[4], 4 * sizeof(x[0]));
	ret = pvm_vcpu_run(hyp, (unsigned)x[1], (unsigned)x[2], &e);
	if (!ret)
		pvm_exit_pack(&e, x);
	return ret;
}

/*
 * VM_SEAL: x2 = 0 seals unsigned; otherwise x2 is the PA of a
 * struct pvm_vm_authority in one host-owned page, copied out before use.
 */
static pvm_status_t vm_seal(struct pvm_hyp *hyp, const uint64_t *x)
{
	struct pvm_vm_authority auth;
	pvm_status_t ret;

	if (!x[2])
		return pvm_vm_seal(hyp, (unsigned)x[1]);
	ret = mem_host_read(hyp, pvm_pa(x[2]), &auth, sizeof(auth));
	if (!ret)
		ret = pvm_vm_seal_signed(hyp, (unsigned)x[1], &auth);
	memset(&auth, 0, sizeof(auth));
	return ret;
}

/* Calls taking (x1, x2) as a host PA range; x1 reports the shortfall on NOMEM. */
static pvm_status_t pa_range(struct pvm_hyp *hyp, uint32_t fn, uint64_t *x)
{
	pvm_paddr_t pa = pvm_pa(x[1]);
	size_t need = 0;
	pvm_status_t ret;

	switch (fn) {
	case PVM_HC_TOPUP:
		ret = pvm_mem_topup(hyp, pa, x[2], &need);
		break;
	case PVM_HC_SHARE_HYP:
		ret = pvm_host_share_hyp(hyp, pa, x[2], &need);
		break;
	case PVM_HC_UNSHARE_HYP:
		ret = pvm_host_unshare_hyp(hyp, pa, x[2], &need);
		break;
	case PVM_HC_DONATE_HYP:
		ret = pvm_host_donate_hyp(hyp, pa, x[2], &need);
		break;
	default: /* PVM_HC_RECLAIM_HYP */
		ret = pvm_hyp_donate_host(hyp, pa, x[2], &need);
		break;
	}
	if (ret == PVM_E_NOMEM)
		x[1] = need;
	return ret;
}

static pvm_status_t dispatch(struct pvm_hyp *hyp, uint32_t fn, uint64_t *x)
{
	size_t need = 0;
	unsigned idx = 0;
	uint64_t left = 0;
	pvm_status_t ret;

	switch (fn) {
	case PVM_HC_VERSION:
		x[1] = PVM_HC_ABI_VERSION;
		return PVM_OK;
	case PVM_HC_TOPUP:
	case PVM_HC_SHARE_HYP:
	case PVM_HC_UNSHARE_HYP:
	case PVM_HC_DONATE_HYP:
	case PVM_HC_RECLAIM_HYP:
		return pa_range(hyp, fn, x);
	case PVM_HC_VM_CREATE:
		return vm_create(hyp, x);
	case PVM_HC_VCPU_RUN:
		return vcpu_run(hyp, x);
	default:
		break;
	}
	/* Everything below names a VM in x1. */
	if (!U32_OK(x[1]))
		return PVM_E_NOENT;
	switch (fn) {
	case PVM_HC_SHARE_GUEST:
		ret = pvm_host_share_guest(hyp, (unsigned)x[1], pvm_pa(x[2]), pvm_ipa(x[3]), x[4],
					   PVM_PROT_RWX, &need);
		break;
	case PVM_HC_UNSHARE_GUEST:
		ret = pvm_host_unshare_guest(hyp, (unsigned)x[1], pvm_ipa(x[2]), x[3], &need);
		break;
	case PVM_HC_DONATE_GUEST:
		ret = pvm_host_donate_guest(hyp, (unsigned)x[1], pvm_pa(x[2]), pvm_ipa(x[3]), x[4],
					    &need);
		break;
	case PVM_HC_VM_LOAD_MEASURED:
		/* Flags beyond 32 bits are flags nobody defined: refused like unknown ones. */
		if (!U32_OK(x[5]))
			return PVM_E_INVAL;
		ret = pvm_vm_load_measured(hyp, (unsigned)x[1], pvm_pa(x[2]), pvm_ipa(x[3]), x[4],
					   (unsigned)x[5], &need);
		break;
	case PVM_HC_VM_SEAL:
		return vm_seal(hyp, x);
	case PVM_HC_VCPU_CREATE:
		ret = pvm_vcpu_create(hyp, (unsigned)x[1], pvm_pa(x[2]), &idx, &need);
		x[1] = ret == PVM_E_NOMEM ? need : ret ? 0 : idx;
		return ret;
	case PVM_HC_VCPU_BOOT:
		if (!U32_OK(x[2]))
			return PVM_E_NOENT;
		return pvm_vcpu_boot(hyp, (unsigned)x[1], (unsigned)x[2], pvm_ipa(x[3]), x[4]);
	case PVM_HC_VCPU_IRQ:
		if (!U32_OK(x[2]))
			return PVM_E_NOENT;
		if (!U32_OK(x[3]))
			return PVM_E_INVAL;
		return pvm_vcpu_inject_irq(hyp, (unsigned)x[1], (unsigned)x[2], (unsigned)x[3]);
	case PVM_HC_VM_TEARDOWN:
		return pvm_vm_teardown_start(hyp, (unsigned)x[1]);
	case PVM_HC_VM_RECLAIM:
		ret = pvm_vm_reclaim(hyp, (unsigned)x[1], x[2], &left, &need);
		x[1] = ret == PVM_E_NOMEM ? need : left;
		return ret;
	case PVM_HC_VM_FINISH:
		return pvm_vm_teardown_finish(hyp, (unsigned)x[1]);
	default:
		return PVM_E_NOTSUP;
	}
	/* The share/donate calls: x1 reports the shortfall on NOMEM. */
	if (ret == PVM_E_NOMEM)
		x[1] = need;
	return ret;
}

void pvm_host_call(struct pvm_hyp *hyp, uint64_t regs[8])
{
	uint64_t fn;

	if (!regs)
		return;
	fn = regs[0];
	/* SMCCC: only w0 is the function ID, but a host passing junk above it gets refused. */
	if (!hyp || fn < PVM_HC_BASE || fn >= PVM_HC_END)
		regs[0] = (uint64_t)(int64_t)(hyp ? PVM_E_NOTSUP : PVM_E_INVAL);
	else
		regs[0] = (uint64_t)(int64_t)dispatch(hyp, (uint32_t)fn, regs);
}
