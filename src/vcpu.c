/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vCPUs and the run loop: enter the guest through the port, decode each
 * trap, handle in the hypervisor what belongs there, and return a typed
 * exit for the rest.
 *
 * What a protected VM's host may learn is decided here: an exit carries
 * the access's address, size, direction and (for a store) its data, never
 * a register number or any other guest register; a completion writes only
 * the register the trapped instruction named.
 */
#include <libpvm/arch.h>
#include <libpvm/port.h>
#include <libpvm/vcpu.h>

#include <string.h>

#include "attest/attest_internal.h"
#include "mem_internal.h"
#include "vcpu_internal.h"
#include "attest/attest_state.h"

/*
 * HCR_EL2 for a guest: stage-2 on (VM), interrupts and SErrors routed to
 * EL2 (IMO/FMO/AMO), WFI/WFE and SMC trapped (TWI/TWE/TSC), set/way
 * operations upgraded (SWIO), ID register reads trapped (TID3: the guest
 * sees pvm_sysreg_id_value()'s sanitised values), EL1 is AArch64 (RW), and the guest's pointer
 * authentication its own (APK/API: its instructions and key registers do
 * not trap; the port switches the keys, regs.pauth, as pKVM does).
 */
#define HCR_GUEST                                                                                  \
	(PVM_HCR_VM | PVM_HCR_SWIO | PVM_HCR_FMO | PVM_HCR_IMO | PVM_HCR_AMO | PVM_HCR_TWI |       \
	 PVM_HCR_TWE | PVM_HCR_TID3 | PVM_HCR_TSC | PVM_HCR_RW | PVM_HCR_APK | PVM_HCR_API)

/* MPIDR_EL1: bit 31 is RES1; Aff0 is the vCPU index. */
#define MPIDR_RES1 (1ull << 31)

struct pvm_vcpu *vm_vcpu_by_mpidr(struct pvm_vm *vm, uint64_t mpidr)
{
	/* Only Aff0 may be set: libpvm's vCPUs form one cluster. */
	if ((mpidr & ~(uint64_t)0xff) || mpidr >= vm->nvcpus)
		return NULL;
	return vm->vcpus[mpidr];
}

void vcpu_reset(struct pvm_vcpu *vcpu, uint64_t entry, uint64_t x0)
{
	struct pvm_vcpu_regs *r = &vcpu->ctx.regs;
	uint64_t mpidr = r->sys[PVM_SYS_MPIDR_EL1];

	memset(r, 0, sizeof(*r));
	r->sys[PVM_SYS_MPIDR_EL1] = mpidr;
	r->sys[PVM_SYS_SCTLR_EL1] = PVM_SCTLR_EL1_RESET;
	r->pc = entry;
	r->x[0] = x0;
	r->pstate = PVM_PSTATE_EL1H_MASKED;
	vcpu->pending = PEND_NONE;
	memset(vcpu->ctx.virq, 0, sizeof(vcpu->ctx.virq));
	memset(&vcpu->ctx.vgic, 0, sizeof(vcpu->ctx.vgic));
	vcpu->ctx.resets++;
}

void vcpu_inject_sync(struct pvm_vcpu *vcpu, uint64_t esr_el1, uint64_t far)
{
	struct pvm_vcpu_regs *r = &vcpu->ctx.regs;
	unsigned off = pvm_arch_el1_vector(r->pstate);

	/*
	 * What the CPU does on taking a synchronous exception to EL1 (the
	 * guest is AArch64: libpvm never runs AArch32 EL0 or EL1).
	 */
	esr_el1 = pvm_arch_el1_esr(esr_el1, off);
	r->sys[PVM_SYS_ELR_EL1] = r->pc;
	r->sys[PVM_SYS_SPSR_EL1] = r->pstate;
	r->sys[PVM_SYS_ESR_EL1] = esr_el1;
	r->sys[PVM_SYS_FAR_EL1] = far;
	r->pstate = PVM_PSTATE_EL1H_MASKED;
	r->pc = r->sys[PVM_SYS_VBAR_EL1] + off;
}

static enum vcpu_verdict inject(struct pvm_vcpu *vcpu, enum pvm_fault_reason why, uint64_t far,
				uint64_t ipa, struct pvm_exit *exit)
{
	uint64_t esr = PVM_ESR_IL;

	if (why == PVM_FAULT_DABT)
		esr |= ((uint64_t)PVM_EC_DABT_LOW << PVM_ESR_EC_SHIFT) | PVM_FSC_EXTABT;
	else if (why == PVM_FAULT_IABT)
		esr |= ((uint64_t)PVM_EC_IABT_LOW << PVM_ESR_EC_SHIFT) | PVM_FSC_EXTABT;
	vcpu_inject_sync(vcpu, esr, far);
	exit->kind = PVM_EXIT_GUEST_FAULT;
	exit->fault.reason = why;
	exit->fault.ipa = ipa;
	return V_EXIT;
}

static enum vcpu_verdict internal(struct pvm_exit *exit, pvm_status_t status, uint64_t esr)
{
	exit->kind = PVM_EXIT_INTERNAL;
	exit->internal.status = status;
	exit->internal.esr = esr;
	return V_EXIT;
}

static bool mapped(struct pvm_vm *vm, uint64_t ipa)
{
	struct pvm_stage2_mapping l;
	pvm_status_t ret;

	pvm_port_lock(&vm->lock);
	ret = pvm_stage2_lookup(&vm->s2, pvm_ipa(ipa), &l);
	pvm_port_unlock(&vm->lock);
	return ret == PVM_OK;
}

static bool mmio_allowed(struct pvm_vm *vm, uint64_t page)
{
	unsigned i;

	if (!vm->mmio_guard)
		return true;
	for (i = 0; i < vm->nguard; i++)
		if (vm->mmio_guard_ipa[i] == page)
			return true;
	return false;
}

static uint64_t reg_read(const struct pvm_vcpu *vcpu, unsigned n)
{
	return n < 31 ? vcpu->ctx.regs.x[n] : 0; /* 31 is XZR */
}

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static enum vcpu_verdict handle_abort(struct pvm_vm *vm, struct pvm_vcpu *vcpu,
				      const struct pvm_trap *trap, const struct pvm_esr_info *info,
				      struct pvm_exit *exit)
{
	uint64_t ipa = pvm_hpfar_ipa(trap->hpfar, trap->far), page = ipa & ~(PVM_PAGE_SIZE - 1);

	/* On a stage-1 walk, FAR is the guest's VA: only the page of the IPA means anything. */
	if (info->s1ptw)
		ipa = page;
	bool iabt = info->cls == PVM_TC_IABT;
	enum pvm_fault_reason why = iabt ? PVM_FAULT_IABT : PVM_FAULT_DABT;

	if (info->fault != PVM_FT_TRANSLATION)
		/* Mapped but not for this access, or no IPA at all: the guest's bug. */
		return inject(vcpu, why, trap->far, ipa, exit);
	if (vm_in_ram(vm, page, PVM_PAGE_SIZE)) {
		/* Another vCPU's fault may have been served meanwhile: just retry. */
		if (mapped(vm, page))
			return V_RESUME;
		exit->kind = PVM_EXIT_MEM_FAULT;
		exit->mem_fault.ipa = page;
		exit->mem_fault.write = info->write;
		exit->mem_fault.exec = iabt;
		return V_EXIT;
	}
	/*
	 * Outside RAM: MMIO, if the access can be emulated at all. Without an
	 * instruction syndrome (pairs, SIMD, writeback) the hypervisor would
	 * have to read guest memory to decode it, which it never does for a
	 * protected guest: the guest gets an abort, as under pKVM.
	 */
	if (iabt || !info->isv || info->s1ptw || info->cm || !mmio_allowed(vm, page))
		return inject(vcpu, why, trap->far, ipa, exit);
	vcpu->pending = info->write ? PEND_MMIO_WRITE : PEND_MMIO_READ;
	vcpu->pend_srt = info->srt;
	vcpu->pend_size = info->size;
	vcpu->pend_sse = info->sse;
	vcpu->pend_sf = info->sf;
	vcpu->pend_far = trap->far;
	exit->kind = PVM_EXIT_MMIO;
	exit->mmio.ipa = ipa;
	exit->mmio.size = info->size;
	exit->mmio.write = info->write;
	exit->mmio.data = info->write ? reg_read(vcpu, info->srt) & size_mask(info->size) : 0;
	return V_EXIT;
}

/* CNTV_CTL_EL0: ENABLE, IMASK. */
#define CNTV_ENABLE (1ull << 0)
#define CNTV_IMASK  (1ull << 1)

void vcpu_exit_wfi(const struct pvm_vcpu *vcpu, struct pvm_exit *exit)
{
	const uint64_t *sys = vcpu->ctx.regs.sys;

	exit->kind = PVM_EXIT_WFI;
	/* The timer raises its interrupt only when enabled and not masked. */
	if ((sys[PVM_SYS_CNTV_CTL_EL0] & (CNTV_ENABLE | CNTV_IMASK)) == CNTV_ENABLE)
		exit->wfi.deadline = sys[PVM_SYS_CNTV_CVAL_EL0];
	else
		exit->wfi.deadline = PVM_WFI_NO_DEADLINE;
}

static enum vcpu_verdict handle_sync(struct pvm_hyp *hyp, struct pvm_vm *vm, struct pvm_vcpu *vcpu,
				     const struct pvm_trap *trap, struct pvm_exit *exit)
{
	struct pvm_esr_info info;

	(void)pvm_esr_decode(trap->esr, &info);
	switch (info.cls) {
	case PVM_TC_SMC:
		/* A trapped SMC returns to itself; SMCCC wants the next instruction. */
		vcpu->ctx.regs.pc += 4;
		__attribute__((fallthrough));
	case PVM_TC_HVC:
		return smccc_handle(hyp, vm, vcpu, exit);
	case PVM_TC_WFI:
		vcpu->ctx.regs.pc += 4;
		vcpu_exit_wfi(vcpu, exit);
		return V_EXIT;
	case PVM_TC_WFE:
		/* A hint: resuming at once is a correct implementation. */
		vcpu->ctx.regs.pc += 4;
		return V_RESUME;
	case PVM_TC_DABT:
	case PVM_TC_IABT:
		return handle_abort(vm, vcpu, trap, &info, exit);
	case PVM_TC_SYSREG:
		if (pvm_sysreg_trap_policy(trap->esr) == PVM_SYSREG_RAZ_WI) {
			/* Debug and PMU registers: read as zero, writes ignored. */
			if (info.sys_read && info.sys_rt != 31)
				vcpu->ctx.regs.x[info.sys_rt] = 0;
			vcpu->ctx.regs.pc += 4;
			return V_RESUME;
		}
		if (pvm_sysreg_trap_policy(trap->esr) == PVM_SYSREG_SGI) {
			uint64_t val = info.sys_rt == 31 ? 0 : vcpu->ctx.regs.x[info.sys_rt];

			vcpu->ctx.regs.pc += 4;
			return vcpu_sgi(hyp, vm, vcpu, val, exit);
		}
		if (pvm_sysreg_trap_policy(trap->esr) == PVM_SYSREG_ID_REG) {
			/* CRm 4:1, Op2 19:17 of the ISS: what the CPU has, sanitised. */
			unsigned crm = (unsigned)(trap->esr >> 1) & 15u;
			unsigned op2 = (unsigned)(trap->esr >> 17) & 7u;

			if (info.sys_rt != 31)
				vcpu->ctx.regs.x[info.sys_rt] =
					pvm_sysreg_id_value(crm, op2, pvm_port_id_reg(crm, op2));
			vcpu->ctx.regs.pc += 4;
			return V_RESUME;
		}
		return inject(vcpu, PVM_FAULT_UNDEF, 0, 0, exit);
	case PVM_TC_AARCH32:
	case PVM_TC_UNHANDLED:
	default:
		/* ELR_EL2 is the trapped instruction: the guest sees it UNDEFINED. */
		return inject(vcpu, PVM_FAULT_UNDEF, 0, 0, exit);
	}
}

/* Apply the VMM's completion of the previous exit, if one is awaited. */
static void complete(struct pvm_vcpu *vcpu, const struct pvm_exit *in)
{
	struct pvm_vcpu_regs *r = &vcpu->ctx.regs;
	uint8_t pending = vcpu->pending;

	vcpu->pending = PEND_NONE;
	switch (pending) {
	case PEND_MMIO_READ:
	case PEND_MMIO_WRITE: {
		uint64_t v;

		if (in->flags & PVM_EXIT_F_ABORT) {
			/* ELR is still the faulting access: the abort is taken on it. */
			vcpu_inject_sync(vcpu,
					 ((uint64_t)PVM_EC_DABT_LOW << PVM_ESR_EC_SHIFT) |
						 PVM_ESR_IL | PVM_FSC_EXTABT,
					 vcpu->pend_far);
			return;
		}
		if (pending == PEND_MMIO_READ && vcpu->pend_srt != 31) {
			v = in->mmio.data & size_mask(vcpu->pend_size);
			if (vcpu->pend_sse && vcpu->pend_size < 8) {
				uint64_t sign = 1ull << (vcpu->pend_size * 8 - 1);

				v = (v ^ sign) - sign;
			}
			if (!vcpu->pend_sf)
				v &= 0xffffffffull;
			r->x[vcpu->pend_srt] = v;
		}
		r->pc += 4;
		return;
	}
	case PEND_HVC:
		memcpy(r->x, in->hvc.x, 4 * sizeof(r->x[0]));
		return;
	default:
		return;
	}
}

/* Set HCR_EL2.VI when an interrupt is pending. */
static void load_virq(struct pvm_vcpu *vcpu)
{
	uint32_t any = 0;
	unsigned i;

	for (i = 0; i < 4; i++)
		any |= __atomic_load_n(&vcpu->ctx.virq[i], __ATOMIC_ACQUIRE);
	vcpu->ctx.hcr = HCR_GUEST | (any ? PVM_HCR_VI : 0);
}

static enum vcpu_verdict handle_trap(struct pvm_hyp *hyp, struct pvm_vm *vm, struct pvm_vcpu *vcpu,
				     const struct pvm_trap *trap, struct pvm_exit *exit)
{
	switch (trap->kind) {
	case PVM_TRAP_SYNC:
		return handle_sync(hyp, vm, vcpu, trap, exit);
	case PVM_TRAP_IRQ:
	case PVM_TRAP_FIQ:
		exit->kind = PVM_EXIT_INTERRUPTED;
		return V_EXIT;
	case PVM_TRAP_SERROR:
		return internal(exit, PVM_E_STATE, trap->esr);
	case PVM_TRAP_HALT:
	default:
		return internal(exit, PVM_E_STATE, 0);
	}
}

static struct pvm_vcpu *find_vcpu(struct pvm_hyp *hyp, unsigned vm, unsigned index,
				  struct pvm_vm **out)
{
	struct pvm_vm *v = vm_find(hyp, vm);

	if (!v || index >= v->nvcpus)
		return NULL;
	*out = v;
	return v->vcpus[index];
}

pvm_status_t pvm_vcpu_run(struct pvm_hyp *hyp, unsigned vmh, unsigned index, struct pvm_exit *exit)
{
	struct pvm_vcpu *vcpu;
	struct pvm_vm *vm = NULL;
	pvm_status_t ret = PVM_OK;
	bool ready;

	if (!hyp || !exit)
		return PVM_E_INVAL;
	pvm_port_lock(&hyp->lock);
	vcpu = find_vcpu(hyp, vmh, index, &vm);
	if (!vcpu)
		ret = PVM_E_NOENT;
	else if (vm->state != PVM_VM_ACTIVE || vm->off)
		ret = PVM_E_STATE;
	else if (vcpu->running || vm->refs == UINT32_MAX)
		ret = PVM_E_BUSY;
	if (ret) {
		pvm_port_unlock(&hyp->lock);
		return ret;
	}
	ready = __atomic_load_n(&hyp->attest.ready, __ATOMIC_ACQUIRE);
	pvm_port_lock(&vm->lock);
	if (vcpu->power == PVM_VCPU_OFF) {
		ret = PVM_E_STATE;
	} else if (!ready && (ret = attest_vm_freeze_locked(vm)) == PVM_OK) {
		/*
		 * Without attestation there are no keys to derive, but the first
		 * run still makes the RIM final: what the host may add to a VM
		 * stops there on every machine.
		 */
	}
	if (!ret) {
		/* Claimed, not yet started: a refusal below only undoes the claim. */
		vcpu->running = true;
		vm->refs++;
	}
	pvm_port_unlock(&vm->lock);
	pvm_port_unlock(&hyp->lock);
	if (ret)
		return ret;
	/* The first run seals the RIM and derives the VM's keys (idempotent after). */
	if (ready)
		ret = attest_vm_seal(hyp, vm, NULL);
	pvm_port_lock(&hyp->lock);
	if (ret) {
		vcpu->running = false;
		vm->refs--;
	} else {
		pvm_port_lock(&vm->lock);
		vcpu->power = PVM_VCPU_ON;
		vm->ran = true;
		pvm_port_unlock(&vm->lock);
	}
	pvm_port_unlock(&hyp->lock);
	if (ret)
		return ret;

	complete(vcpu, exit);
	memset(exit, 0, sizeof(*exit));
	for (;;) {
		struct pvm_trap trap = {0};

		load_virq(vcpu);
		pvm_port_vcpu_enter(&vcpu->ctx, &trap);
		if (handle_trap(hyp, vm, vcpu, &trap, exit) == V_EXIT)
			break;
	}

	pvm_port_lock(&hyp->lock);
	vcpu->running = false;
	vm->refs--;
	pvm_port_unlock(&hyp->lock);
	return PVM_OK;
}

pvm_status_t pvm_vcpu_create(struct pvm_hyp *hyp, unsigned vmh, pvm_paddr_t page, unsigned *index,
			     size_t *need)
{
	uint64_t pa = pvm_pa_val(page);
	struct pvm_vcpu *vcpu;
	struct pvm_vm *vm;
	pvm_status_t ret;
	unsigned i;

	if (need)
		*need = 0;
	if (!hyp || !index || (pa & (PVM_PAGE_SIZE - 1)))
		return PVM_E_INVAL;
	/* mem_donate_hyp_locked() trusts its range: a page outside managed memory has no metadata.
	 */
	if (pa < hyp->base || (pa - hyp->base) / PVM_PAGE_SIZE >= hyp->npages)
		return PVM_E_RANGE;
	_Static_assert(sizeof(struct pvm_vcpu) <= PVM_PAGE_SIZE, "a vCPU fits in its page");
	pvm_port_lock(&hyp->lock);
	vm = vm_find(hyp, vmh);
	if (!vm) {
		pvm_port_unlock(&hyp->lock);
		return PVM_E_NOENT;
	}
	/* Both locks throughout: the check of the seal and the RIM record it allows are one step.
	 */
	pvm_port_lock(&vm->lock);
	if (vm->state != PVM_VM_ACTIVE)
		ret = PVM_E_STATE;
	else if (vm->ran || attest_vm_frozen_locked(vm) || vm->nvcpus >= PVM_VCPU_MAX)
		ret = PVM_E_BUSY; /* sealed: every vCPU is in the RIM already */
	else
		ret = mem_donate_hyp_locked(hyp, pa, 1, need);
	if (ret)
		goto out;
	mem_mark_inuse_locked(hyp, pa, 1);
	vcpu = pvm_port_phys_to_virt(page);
	memset(vcpu, 0, sizeof(*vcpu));
	i = vm->nvcpus;
	vcpu->ctx.vm = (uint16_t)vmh;
	vcpu->ctx.index = (uint16_t)i;
	vcpu->ctx.vttbr = pvm_stage2_vttbr(&vm->s2);
	vcpu->ctx.vtcr = pvm_stage2_vtcr(&vm->s2);
	vcpu->ctx.regs.sys[PVM_SYS_MPIDR_EL1] = MPIDR_RES1 | i;
	vcpu->power = PVM_VCPU_OFF;
	vcpu_reset(vcpu, 0, 0);
	load_virq(vcpu);
	vm->vcpus[i] = vcpu;
	vm->nvcpus = (uint8_t)(i + 1);
	attest_vcpu_created_locked(vm, i);
	*index = i;
out:
	pvm_port_unlock(&vm->lock);
	pvm_port_unlock(&hyp->lock);
	return ret;
}

pvm_status_t pvm_vcpu_boot(struct pvm_hyp *hyp, unsigned vmh, unsigned index, pvm_ipa_t entry,
			   uint64_t x0)
{
	uint64_t e = pvm_ipa_val(entry);
	struct pvm_vcpu *vcpu;
	struct pvm_vm *vm = NULL;
	pvm_status_t ret = PVM_OK;

	if (!hyp || (e & 3))
		return PVM_E_INVAL;
	pvm_port_lock(&hyp->lock);
	vcpu = find_vcpu(hyp, vmh, index, &vm);
	if (!vcpu)
		ret = PVM_E_NOENT;
	else if (vm->ram_size ? !vm_in_ram(vm, e, 4) : e >= vm->s2.ipa_limit)
		ret = PVM_E_RANGE;
	else if (vm->state != PVM_VM_ACTIVE || vm->off || (vm->protected_vm && vm->ran))
		ret = PVM_E_STATE;
	else if (vcpu->running)
		ret = PVM_E_BUSY;
	if (!ret) {
		pvm_port_lock(&vm->lock);
		/*
		 * A protected VM's vCPUs start where its RIM says: once it is
		 * sealed only the guest's own PSCI CPU_ON starts one.
		 */
		if (vcpu->power != PVM_VCPU_OFF ||
		    (vm->protected_vm && attest_vm_frozen_locked(vm))) {
			ret = PVM_E_STATE;
		} else {
			vcpu_reset(vcpu, e, x0);
			vcpu->power = PVM_VCPU_ON;
			attest_vcpu_booted_locked(vm, index, e, x0);
		}
		pvm_port_unlock(&vm->lock);
	}
	pvm_port_unlock(&hyp->lock);
	return ret;
}

pvm_status_t pvm_vcpu_inject_irq(struct pvm_hyp *hyp, unsigned vmh, unsigned index, unsigned intid)
{
	struct pvm_vcpu *vcpu;
	struct pvm_vm *vm = NULL;
	pvm_status_t ret = PVM_OK;

	if (!hyp || intid >= 128)
		return PVM_E_INVAL;
	pvm_port_lock(&hyp->lock);
	vcpu = find_vcpu(hyp, vmh, index, &vm);
	if (!vcpu)
		ret = PVM_E_NOENT;
	else if (vm->state != PVM_VM_ACTIVE)
		ret = PVM_E_STATE;
	if (!ret) {
		bool queue = false;

		ret = pvm_port_vcpu_irq(vmh, index, intid, &queue);
		/* Atomic: the port takes (clears) bits while the vCPU runs. */
		if (!ret && queue)
			__atomic_fetch_or(&vcpu->ctx.virq[intid / 32], 1u << (intid % 32),
					  __ATOMIC_RELEASE);
	}
	pvm_port_unlock(&hyp->lock);
	return ret;
}

static pvm_status_t regs_access(struct pvm_hyp *hyp, unsigned vmh, unsigned index,
				struct pvm_vcpu_regs *get, const struct pvm_vcpu_regs *set)
{
	struct pvm_vcpu *vcpu;
	struct pvm_vm *vm = NULL;
	pvm_status_t ret = PVM_OK;

	if (!hyp || (!get && !set))
		return PVM_E_INVAL;
	pvm_port_lock(&hyp->lock);
	vcpu = find_vcpu(hyp, vmh, index, &vm);
	if (!vcpu)
		ret = PVM_E_NOENT;
	else if (vm->protected_vm)
		ret = PVM_E_PERM;
	else if (vcpu->running)
		ret = PVM_E_BUSY;
	else if (get)
		*get = vcpu->ctx.regs;
	else {
		uint64_t mpidr = vcpu->ctx.regs.sys[PVM_SYS_MPIDR_EL1];

		vcpu->ctx.regs = *set;
		vcpu->ctx.regs.sys[PVM_SYS_MPIDR_EL1] = mpidr; /* the VM's topology is fixed */
	}
	pvm_port_unlock(&hyp->lock);
	return ret;
}

pvm_status_t pvm_vcpu_get_regs(struct pvm_hyp *hyp, unsigned vm, unsigned index,
			       struct pvm_vcpu_regs *regs)
{
	return regs ? regs_access(hyp, vm, index, regs, NULL) : PVM_E_INVAL;
}

pvm_status_t pvm_vcpu_set_regs(struct pvm_hyp *hyp, unsigned vm, unsigned index,
			       const struct pvm_vcpu_regs *regs)
{
	return regs ? regs_access(hyp, vm, index, NULL, regs) : PVM_E_INVAL;
}

pvm_status_t pvm_vcpu_power(struct pvm_hyp *hyp, unsigned vmh, unsigned index,
			    enum pvm_vcpu_power *power)
{
	struct pvm_vcpu *vcpu;
	struct pvm_vm *vm = NULL;

	if (!hyp || !power)
		return PVM_E_INVAL;
	pvm_port_lock(&hyp->lock);
	vcpu = find_vcpu(hyp, vmh, index, &vm);
	if (vcpu) {
		pvm_port_lock(&vm->lock);
		*power = (enum pvm_vcpu_power)vcpu->power;
		pvm_port_unlock(&vm->lock);
	}
	pvm_port_unlock(&hyp->lock);
	return vcpu ? PVM_OK : PVM_E_NOENT;
}
