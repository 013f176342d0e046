/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A guest's software-generated interrupts (IPIs): its MSR ICC_SGI1R_EL1.
 *
 * With the GICv3 virtual CPU interface, an EL1 write of ICC_SGI1R_EL1
 * traps to EL2 (HCR_EL2.IMO): the hypervisor decides whom it reaches. The
 * value (Arm GICv3 architecture, ICC_SGI1R_EL1): TargetList 15:0, Aff1
 * 23:16, INTID 27:24, Aff2 39:32, IRM 40 (every PE but the sender), RS
 * 47:44 (TargetList names Aff0 = RS * 16 + bit), Aff3 55:48. libpvm's
 * vCPUs are one cluster with Aff0 = the vCPU index, so a target is a vCPU
 * of the sender's VM when Aff3.Aff2.Aff1 = 0 and RS * 16 + bit is one of
 * its vCPUs; other targets do not exist and are ignored, as the GIC
 * ignores them. Each target gets the SGI pending, as pvm_vcpu_inject_irq()
 * makes it, and the VMM an ::PVM_EXIT_IPI naming them, so that it runs
 * those that wait in WFI (the interrupt is already theirs: pending in the
 * hypervisor, which the host cannot raise or drop).
 */
#include <libpvm/vcpu.h>
#include <libpvm/vm.h>

#include "vcpu_internal.h"

#define SGI1R_TARGETS(v) ((unsigned)((v)&0xffffu))
#define SGI1R_AFF1(v)	 (((v) >> 16) & 0xffu)
#define SGI1R_INTID(v)	 ((unsigned)((v) >> 24) & 0xfu)
#define SGI1R_AFF2(v)	 (((v) >> 32) & 0xffu)
#define SGI1R_IRM	 (1ull << 40)
#define SGI1R_RS(v)	 ((unsigned)((v) >> 44) & 0xfu)
#define SGI1R_AFF3(v)	 (((v) >> 48) & 0xffu)

uint64_t vcpu_sgi_targets(const struct pvm_vm *vm, unsigned self, uint64_t val)
{
	uint64_t targets = 0;
	unsigned i, aff0;

	if (val & SGI1R_IRM) {
		for (i = 0; i < vm->nvcpus; i++)
			if (i != self)
				targets |= 1ull << i;
		return targets;
	}
	if (SGI1R_AFF1(val) || SGI1R_AFF2(val) || SGI1R_AFF3(val))
		return 0;
	for (i = 0; i < 16; i++) {
		aff0 = SGI1R_RS(val) * 16 + i;
		if ((SGI1R_TARGETS(val) & (1u << i)) && aff0 < vm->nvcpus)
			targets |= 1ull << aff0;
	}
	return targets;
}

enum vcpu_verdict vcpu_sgi(struct pvm_hyp *hyp, struct pvm_vm *vm, struct pvm_vcpu *vcpu,
			   uint64_t val, struct pvm_exit *exit)
{
	uint64_t targets = vcpu_sgi_targets(vm, vcpu->ctx.index, val), sent = 0;
	unsigned i;

	for (i = 0; i < vm->nvcpus; i++)
		if ((targets & (1ull << i)) &&
		    pvm_vcpu_inject_irq(hyp, vm->handle, i, SGI1R_INTID(val)) == PVM_OK)
			sent |= 1ull << i;
	if (!sent)
		return V_RESUME;
	exit->kind = PVM_EXIT_IPI;
	exit->ipi.targets = sent;
	exit->ipi.intid = SGI1R_INTID(val);
	return V_EXIT;
}
