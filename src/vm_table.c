/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VM table's references: what keeps a VM alive while a vCPU runs or an
 * attestation call works on it (the lookups, vm_find*(), are inline in
 * vm_internal.h). With them, the lowest layer of the VM code: VM lifecycle
 * (vm.c), the run loop and attestation (src/attest) find VMs here, and it
 * calls none of them.
 */
#include <libpvm/vm.h>

#include "check.h"
#include "vm_internal.h"

pvm_status_t vm_get(struct pvm_hyp *hyp, unsigned handle, struct pvm_vm **out)
{
	struct pvm_vm *vm;
	pvm_status_t ret = PVM_OK;

	if (!hyp || !out)
		return PVM_E_INVAL;
	pvm_port_lock(&hyp->lock);
	ret = vm_find_active(hyp, handle, &vm);
	if (!ret && vm->refs == UINT32_MAX)
		ret = PVM_E_BUSY;
	else if (!ret)
		vm->refs++, *out = vm;
	pvm_port_unlock(&hyp->lock);
	return ret;
}

void vm_put(struct pvm_hyp *hyp, struct pvm_vm *vm)
{
	pvm_port_lock(&hyp->lock);
	if (vm->refs)
		vm->refs--;
	pvm_port_unlock(&hyp->lock);
}
