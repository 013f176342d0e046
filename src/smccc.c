/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest hypercalls (SMCCC 1.1): the arch calls, PSCI 1.1, the vendor
 * hypervisor service as KVM answers it, pKVM's protected-guest memory and
 * MMIO-guard calls, and libpvm's own range.
 *
 * Results follow the specifications; unknown calls get NOT_SUPPORTED from
 * a protected VM's point of view and are forwarded to the VMM for others.
 * A protected guest's registers never leave this file except x0..x3 of
 * its own call's result.
 */
#include <libpvm/abi.h>
#include <libpvm/port.h>

#include <string.h>

#include "mem_internal.h"
#include "vcpu_internal.h"

#define SMC64 (1u << 30)

/* Features announced by ARM_SMCCC_VENDOR_HYP_KVM_FEATURES, per kind of VM. */
#define KVM_FEAT(fn) (1u << ((fn)&0xffffu))
#define KVM_FEATURES_ALL                                                                           \
	(KVM_FEAT(ARM_SMCCC_VENDOR_HYP_KVM_FEATURES) | KVM_FEAT(ARM_SMCCC_KVM_FUNC_HYP_MEMINFO) |  \
	 KVM_FEAT(ARM_SMCCC_KVM_FUNC_MEM_SHARE) | KVM_FEAT(ARM_SMCCC_KVM_FUNC_MEM_UNSHARE) |       \
	 KVM_FEAT(ARM_SMCCC_KVM_FUNC_MMIO_GUARD_INFO) |                                            \
	 KVM_FEAT(ARM_SMCCC_KVM_FUNC_MMIO_GUARD_ENROLL) |                                          \
	 KVM_FEAT(ARM_SMCCC_KVM_FUNC_MMIO_GUARD_MAP) |                                             \
	 KVM_FEAT(ARM_SMCCC_KVM_FUNC_MMIO_GUARD_UNMAP) |                                           \
	 KVM_FEAT(ARM_SMCCC_KVM_FUNC_MEM_RELINQUISH))
/* Non-protected VMs own no memory of their own to share: discovery and MMIO guard only. */
#define KVM_FEATURES_NONPROT                                                                       \
	(KVM_FEAT(ARM_SMCCC_VENDOR_HYP_KVM_FEATURES) | KVM_FEAT(ARM_SMCCC_KVM_FUNC_HYP_MEMINFO) |  \
	 KVM_FEAT(ARM_SMCCC_KVM_FUNC_MMIO_GUARD_INFO) |                                            \
	 KVM_FEAT(ARM_SMCCC_KVM_FUNC_MMIO_GUARD_ENROLL) |                                          \
	 KVM_FEAT(ARM_SMCCC_KVM_FUNC_MMIO_GUARD_MAP) |                                             \
	 KVM_FEAT(ARM_SMCCC_KVM_FUNC_MMIO_GUARD_UNMAP))
#define PVM_GUEST_FEAT(fn) (1ull << ((fn)-PVM_GUEST_CALL_BASE))
#define PVM_GUEST_FEATURES                                                                         \
	(PVM_GUEST_FEAT(PVM_GUEST_CALL_FEATURES) | PVM_GUEST_FEAT(PVM_GUEST_CALL_ATTEST) |         \
	 PVM_GUEST_FEAT(PVM_GUEST_CALL_REM_EXTEND) | PVM_GUEST_FEAT(PVM_GUEST_CALL_SEAL_KEY))

static void ret1(struct pvm_vcpu *vcpu, int64_t r0)
{
	uint64_t *x = vcpu->ctx.regs.x;

	x[0] = (uint64_t)r0;
}

static void ret4(struct pvm_vcpu *vcpu, uint64_t r0, uint64_t r1, uint64_t r2, uint64_t r3)
{
	uint64_t *x = vcpu->ctx.regs.x;

	x[0] = r0;
	x[1] = r1;
	x[2] = r2;
	x[3] = r3;
}

/* PSCI_FEATURES / SMCCC_ARCH_FEATURES: is @fn one of ours? */
static bool psci_implemented(uint32_t fn)
{
	switch (fn) {
	case PSCI_VERSION:
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_SUSPEND64:
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON:
	case PSCI_CPU_ON64:
	case PSCI_AFFINITY_INFO:
	case PSCI_AFFINITY_INFO64:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES:
	case SMCCC_VERSION: /* Linux probes SMCCC 1.1 this way */
		return true;
	default:
		return false;
	}
}

static enum vcpu_verdict psci_cpu_on(struct pvm_vm *vm, struct pvm_vcpu *vcpu, uint64_t mpidr,
				     uint64_t entry, uint64_t context, struct pvm_exit *exit)
{
	struct pvm_vcpu *target = vm_vcpu_by_mpidr(vm, mpidr);
	int64_t r = PSCI_RET_SUCCESS;

	if (!target)
		r = PSCI_RET_INVALID_PARAMETERS;
	else if ((entry & 3) || !vm_in_ram(vm, entry, 4))
		/* A protected guest must not be started outside its own memory. */
		r = PSCI_RET_INVALID_ADDRESS;
	if (r) {
		ret1(vcpu, r);
		return V_RESUME;
	}
	pvm_port_lock(&vm->lock);
	if (target->power == PVM_VCPU_ON)
		r = PSCI_RET_ALREADY_ON;
	else if (target->power == PVM_VCPU_ON_PENDING)
		r = PSCI_RET_ON_PENDING;
	else {
		vcpu_reset(target, entry, context);
		target->power = PVM_VCPU_ON_PENDING;
	}
	pvm_port_unlock(&vm->lock);
	ret1(vcpu, r);
	if (r)
		return V_RESUME;
	exit->kind = PVM_EXIT_PSCI;
	exit->psci.fn = PSCI_CPU_ON;
	exit->psci.target = target->ctx.index;
	return V_EXIT;
}

static enum vcpu_verdict psci_power_exit(struct pvm_vm *vm, struct pvm_vcpu *vcpu, uint32_t fn,
					 struct pvm_exit *exit)
{
	pvm_port_lock(&vm->lock);
	if (fn == PSCI_CPU_OFF)
		vcpu->power = PVM_VCPU_OFF;
	else
		vm->off = true;
	pvm_port_unlock(&vm->lock);
	exit->kind = PVM_EXIT_PSCI;
	exit->psci.fn = fn;
	exit->psci.target = vcpu->ctx.index;
	return V_EXIT;
}

static enum vcpu_verdict psci(struct pvm_vm *vm, struct pvm_vcpu *vcpu, uint32_t fn,
			      const uint64_t *a, struct pvm_exit *exit)
{
	struct pvm_vcpu *t;

	switch (fn) {
	case PSCI_VERSION:
		ret1(vcpu, PSCI_VERSION_1_1);
		return V_RESUME;
	case PSCI_FEATURES:
		ret1(vcpu,
		     psci_implemented((uint32_t)a[1]) ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED);
		return V_RESUME;
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_SUSPEND64:
		/*
		 * Every power state is treated as a standby state (as KVM does):
		 * the vCPU waits for an interrupt and the call returns SUCCESS,
		 * which PSCI allows for any state. The entry point is not used.
		 */
		ret1(vcpu, PSCI_RET_SUCCESS);
		vcpu_exit_wfi(vcpu, exit);
		return V_EXIT;
	case PSCI_CPU_ON:
	case PSCI_CPU_ON64:
		return psci_cpu_on(vm, vcpu, a[1], a[2], a[3], exit);
	case PSCI_CPU_OFF:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		return psci_power_exit(vm, vcpu, fn, exit);
	case PSCI_AFFINITY_INFO:
	case PSCI_AFFINITY_INFO64:
		t = vm_vcpu_by_mpidr(vm, a[1]);
		/* Only level 0 (one cluster, no higher affinity levels to report). */
		if (!t || a[2] != 0) {
			ret1(vcpu, PSCI_RET_INVALID_PARAMETERS);
			return V_RESUME;
		}
		pvm_port_lock(&vm->lock);
		ret1(vcpu, t->power == PVM_VCPU_ON	     ? PSCI_AFF_ON
			   : t->power == PVM_VCPU_ON_PENDING ? PSCI_AFF_ON_PENDING
							     : PSCI_AFF_OFF);
		pvm_port_unlock(&vm->lock);
		return V_RESUME;
	case PSCI_MIGRATE_INFO_TYPE:
		ret1(vcpu, PSCI_MIGRATE_NONE);
		return V_RESUME;
	default:
		ret1(vcpu, PSCI_RET_NOT_SUPPORTED);
		return V_RESUME;
	}
}

static int64_t arch_features(uint32_t fn)
{
	switch (fn) {
	case SMCCC_VERSION:
	case SMCCC_ARCH_FEATURES:
		return SMCCC_RET_SUCCESS;
	default:
		/*
		 * SOC_ID and the Spectre workarounds: this hypervisor does not
		 * know the CPU's errata, so it offers no firmware mitigation.
		 */
		return SMCCC_RET_NOT_SUPPORTED;
	}
}

/* A memory transition asked by the guest; NOMEM replays the call after a top-up. */
static enum vcpu_verdict guest_mem(struct pvm_hyp *hyp, struct pvm_vm *vm, struct pvm_vcpu *vcpu,
				   uint32_t fn, const uint64_t *a, struct pvm_exit *exit)
{
	pvm_ipa_t ipa = pvm_ipa(a[1]);
	enum pvm_share_op op;
	pvm_status_t ret;
	size_t need = 0;

	/* One granule per call, as pKVM; x2 and x3 are reserved, must be zero. */
	if (a[2] || a[3] || !vm_in_ram(vm, a[1], PVM_PAGE_SIZE)) {
		ret1(vcpu, SMCCC_RET_INVALID_PARAMETER);
		return V_RESUME;
	}
	if (fn == ARM_SMCCC_KVM_FUNC_MEM_SHARE) {
		op = PVM_SHARE_OP_SHARE;
		ret = pvm_guest_share_host(hyp, vm->handle, ipa, 1, &need);
	} else if (fn == ARM_SMCCC_KVM_FUNC_MEM_UNSHARE) {
		op = PVM_SHARE_OP_UNSHARE;
		ret = pvm_guest_unshare_host(hyp, vm->handle, ipa, 1, &need);
	} else {
		op = PVM_SHARE_OP_RELINQUISH;
		ret = pvm_guest_relinquish_host(hyp, vm->handle, ipa, 1, &need);
	}
	if (ret == PVM_E_NOMEM) {
		/* Rewind to the HVC: the call runs again once the VMM has donated. */
		vcpu->ctx.regs.pc -= 4;
		exit->kind = PVM_EXIT_NEED_PAGES;
		exit->need.pages = need;
		return V_EXIT;
	}
	if (ret) {
		ret1(vcpu, SMCCC_RET_INVALID_PARAMETER);
		return V_RESUME;
	}
	ret1(vcpu, SMCCC_RET_SUCCESS);
	exit->kind = PVM_EXIT_MEM_SHARE;
	exit->share.ipa = a[1];
	exit->share.pages = 1;
	exit->share.op = op;
	return V_EXIT;
}

static int64_t mmio_guard(struct pvm_vm *vm, uint32_t fn, uint64_t ipa)
{
	unsigned i;
	int64_t r = SMCCC_RET_INVALID_PARAMETER;

	pvm_port_lock(&vm->lock);
	if (fn == ARM_SMCCC_KVM_FUNC_MMIO_GUARD_ENROLL) {
		vm->mmio_guard = true;
		r = SMCCC_RET_SUCCESS;
	} else if ((ipa & (PVM_PAGE_SIZE - 1)) || ipa >= vm->s2.ipa_limit ||
		   vm_in_ram(vm, ipa, PVM_PAGE_SIZE) || !vm->mmio_guard) {
		/* Only device space can be opened, and only once enrolled. */
	} else {
		for (i = 0; i < vm->nguard && vm->mmio_guard_ipa[i] != ipa; i++)
			;
		if (fn == ARM_SMCCC_KVM_FUNC_MMIO_GUARD_MAP) {
			if (i < vm->nguard)
				r = SMCCC_RET_SUCCESS; /* idempotent */
			else if (vm->nguard < PVM_MMIO_GUARD_MAX) {
				vm->mmio_guard_ipa[vm->nguard++] = ipa;
				r = SMCCC_RET_SUCCESS;
			}
		} else if (i < vm->nguard) {
			vm->mmio_guard_ipa[i] = vm->mmio_guard_ipa[--vm->nguard];
			r = SMCCC_RET_SUCCESS;
		}
	}
	pvm_port_unlock(&vm->lock);
	return r;
}

static enum vcpu_verdict vendor(struct pvm_hyp *hyp, struct pvm_vm *vm, struct pvm_vcpu *vcpu,
				uint32_t fn, const uint64_t *a, struct pvm_exit *exit, bool *known)
{
	*known = true;
	switch (fn) {
	case ARM_SMCCC_VENDOR_HYP_CALL_UID:
		ret4(vcpu, ARM_SMCCC_VENDOR_HYP_UID_KVM_W0, ARM_SMCCC_VENDOR_HYP_UID_KVM_W1,
		     ARM_SMCCC_VENDOR_HYP_UID_KVM_W2, ARM_SMCCC_VENDOR_HYP_UID_KVM_W3);
		return V_RESUME;
	case ARM_SMCCC_VENDOR_HYP_KVM_FEATURES:
		ret4(vcpu, vm->protected_vm ? KVM_FEATURES_ALL : KVM_FEATURES_NONPROT, 0, 0, 0);
		return V_RESUME;
	case ARM_SMCCC_KVM_FUNC_HYP_MEMINFO:
	case ARM_SMCCC_KVM_FUNC_MMIO_GUARD_INFO:
		ret1(vcpu,
		     (a[1] | a[2] | a[3]) ? SMCCC_RET_INVALID_PARAMETER : (int64_t)PVM_PAGE_SIZE);
		return V_RESUME;
	case ARM_SMCCC_KVM_FUNC_MEM_SHARE:
	case ARM_SMCCC_KVM_FUNC_MEM_UNSHARE:
	case ARM_SMCCC_KVM_FUNC_MEM_RELINQUISH:
		if (!vm->protected_vm)
			break;
		return guest_mem(hyp, vm, vcpu, fn, a, exit);
	case ARM_SMCCC_KVM_FUNC_MMIO_GUARD_ENROLL:
	case ARM_SMCCC_KVM_FUNC_MMIO_GUARD_MAP:
	case ARM_SMCCC_KVM_FUNC_MMIO_GUARD_UNMAP:
		ret1(vcpu, mmio_guard(vm, fn, a[1]));
		return V_RESUME;
	case PVM_GUEST_CALL_FEATURES:
		ret4(vcpu, PVM_GUEST_FEATURES, 0, 0, 0);
		return V_RESUME;
	default:
		if (guest_attest_call(hyp, vm, vcpu, fn, a))
			return V_RESUME;
		break;
	}
	*known = false;
	return V_RESUME;
}

enum vcpu_verdict smccc_handle(struct pvm_hyp *hyp, struct pvm_vm *vm, struct pvm_vcpu *vcpu,
			       struct pvm_exit *exit)
{
	uint64_t a[7];
	uint32_t fn = (uint32_t)vcpu->ctx.regs.x[0];
	enum vcpu_verdict v;
	bool known = true;
	unsigned i;

	memcpy(a, vcpu->ctx.regs.x, sizeof(a));
	/* SMC32 calls take 32-bit arguments: the upper halves are ignored. */
	if (!(fn & SMC64))
		for (i = 1; i < 7; i++)
			a[i] &= 0xffffffffull;
	switch (fn) {
	case SMCCC_VERSION:
		ret1(vcpu, SMCCC_VERSION_1_1);
		return V_RESUME;
	case SMCCC_ARCH_FEATURES:
		ret1(vcpu, arch_features((uint32_t)a[1]));
		return V_RESUME;
	default:
		break;
	}
	/* Owner 4, function numbers 0x00-0x1f: PSCI. */
	if ((fn & ~SMC64 & 0xffffffe0u) == 0x84000000u)
		return psci(vm, vcpu, fn, a, exit);
	if ((fn & 0xbf000000u) == 0x86000000u) {
		v = vendor(hyp, vm, vcpu, fn, a, exit, &known);
		if (known)
			return v;
	}
	/*
	 * Anything else: a protected guest gets NOT_SUPPORTED without the host
	 * learning of the call; a non-protected VM's VMM sees x0..x5 and
	 * answers through the completion.
	 */
	if (vm->protected_vm) {
		ret1(vcpu, SMCCC_RET_NOT_SUPPORTED);
		return V_RESUME;
	}
	vcpu->pending = PEND_HVC;
	exit->kind = PVM_EXIT_HVC;
	memcpy(exit->hvc.x, a, sizeof(exit->hvc.x));
	exit->hvc.x[0] = vcpu->ctx.regs.x[0];
	return V_EXIT;
}
