/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A VM's layout: private to the core. It lives in the last page the host
 * donated to pvm_vm_create(); the host names it by handle only.
 */
#ifndef PVM_VM_INTERNAL_H
#define PVM_VM_INTERNAL_H

#include <libpvm/stage2.h>
#include <libpvm/vm.h>

#include "attest/attest_state.h"
#include "check.h"
#include "hyp_internal.h"

struct pvm_vcpu;

struct pvm_vm {
	pvm_lock_t lock;       /* s2 and the vCPUs' power state; after the memory lock */
	struct pvm_stage2 s2;  /* the guest's stage-2 */
	pvm_paddr_t donated;   /* first donated page (the root comes first) */
	uint64_t ndonated;     /* donated pages (root pages + 1) */
	uint64_t pages;	       /* pages mapped in s2 (owned or borrowed) */
	uint64_t reclaim_from; /* IPA where the next reclaim looks first */
	uint32_t refs;	       /* loaded vCPUs (pvm_vm_load()) */
	uint16_t handle;       /* index in pvm_hyp::vms */
	uint8_t state;	       /* enum pvm_vm_state */
	bool protected_vm;     /* the host may not see its memory */
	bool ran;	       /* a vCPU has run: no more vCPUs, no more boot for protected VMs */
	bool off;	       /* the guest called PSCI SYSTEM_OFF or SYSTEM_RESET */
	bool mmio_guard;       /* enrolled in MMIO guard */
	uint8_t nvcpus;	       /* vCPUs created */
	uint8_t nguard;	       /* entries of mmio_guard_ipa in use */
	uint64_t ram_base;     /* guest RAM: faults here ask the VMM for memory */
	uint64_t ram_size;     /* bytes of guest RAM (0: none; every fault is MMIO) */
	struct pvm_vcpu *vcpus[PVM_VCPU_MAX];	     /* in pages of their own */
	uint64_t mmio_guard_ipa[PVM_MMIO_GUARD_MAX]; /* granules open to the host */
	struct attest_vm attest;		     /* measurements and keys (secrets) */
};

/* The VM table (vm_table.c). */

/* The VM of a handle, or NULL; under hyp->lock. */
static inline struct pvm_vm *vm_find(struct pvm_hyp *hyp, unsigned handle)
{
	return handle < PVM_VM_MAX ? hyp->vms[handle] : NULL;
}

/*
 * The VM of a handle, which must exist (else PVM_E_NOENT) and be in state
 * (else PVM_E_STATE); under hyp->lock. Inline: every transition starts here.
 */
static inline pvm_status_t vm_find_in(struct pvm_hyp *hyp, unsigned handle, unsigned state,
				      struct pvm_vm **vm)
{
	pvm_assert_lock_held(&hyp->lock);
	*vm = vm_find(hyp, handle);
	if (!*vm)
		return PVM_E_NOENT;
	return (*vm)->state == state ? PVM_OK : PVM_E_STATE;
}

static inline pvm_status_t vm_find_active(struct pvm_hyp *hyp, unsigned handle, struct pvm_vm **vm)
{
	return vm_find_in(hyp, handle, PVM_VM_ACTIVE, vm);
}

/*
 * Take a reference on an active VM (a running vCPU, an attestation call):
 * PVM_OK; PVM_E_INVAL (NULL); PVM_E_NOENT (no such VM); PVM_E_STATE
 * (tearing down); PVM_E_BUSY (references exhausted). Takes the memory lock.
 */
pvm_status_t vm_get(struct pvm_hyp *hyp, unsigned handle, struct pvm_vm **vm);

/* Drop a reference taken by vm_get(). Takes the memory lock. */
void vm_put(struct pvm_hyp *hyp, struct pvm_vm *vm);

#endif /* PVM_VM_INTERNAL_H */
