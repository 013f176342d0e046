/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor reading and writing a guest's memory at guest addresses
 * (for the guest's own calls: a challenge in, evidence out). Only memory
 * the guest's stage-2 maps as normal memory is touched, and for a write
 * only memory it maps writable: the hypervisor never becomes a way for a
 * guest to reach a page it could not reach itself.
 *
 * The whole range is checked and then copied under the VM's lock, so a
 * transition of one of its pages (a concurrent relinquish by another vCPU)
 * cannot slip between the check and the copy, and a refused copy writes
 * nothing.
 */
#include <libpvm/port.h>

#include <string.h>

#include "vcpu_internal.h"

/* The hypervisor's address of one guest byte, if the access is allowed; under vm->lock. */
static uint8_t *resolve(struct pvm_vm *vm, uint64_t ipa, bool to_guest)
{
	pvm_prot_t need = to_guest ? PVM_PROT_W : PVM_PROT_R;
	struct pvm_stage2_mapping m;

	if (pvm_stage2_lookup(&vm->s2, pvm_ipa(ipa), &m) != PVM_OK ||
	    (m.prot & (need | PVM_PROT_DEVICE)) != need)
		return NULL;
	return pvm_port_phys_to_virt(m.pa);
}

static pvm_status_t copy(struct pvm_vm *vm, uint64_t ipa, void *buf, size_t len, bool to_guest)
{
	uint64_t a, end;
	uint8_t *b = buf;

	if (!len)
		return PVM_OK;
	if (ipa >= vm->s2.ipa_limit || len > vm->s2.ipa_limit - ipa)
		return PVM_E_RANGE;
	end = ipa + len;
	/*
	 * Check every page, then copy: a refused copy writes nothing. The lock
	 * is held across both, so no page can change in between.
	 */
	pvm_port_lock(&vm->lock);
	for (a = ipa; a < end; a = (a | (PVM_PAGE_SIZE - 1)) + 1)
		if (!resolve(vm, a, to_guest)) {
			pvm_port_unlock(&vm->lock);
			return PVM_E_PERM;
		}
	for (a = ipa; a < end;) {
		size_t chunk = PVM_PAGE_SIZE - (a & (PVM_PAGE_SIZE - 1));
		uint8_t *va = resolve(vm, a, to_guest);

		if (chunk > end - a)
			chunk = (size_t)(end - a);
		if (to_guest)
			memcpy(va, b, chunk);
		else
			memcpy(b, va, chunk);
		b += chunk;
		a += chunk;
	}
	pvm_port_unlock(&vm->lock);
	return PVM_OK;
}

pvm_status_t vm_copy_from_guest(struct pvm_vm *vm, uint64_t ipa, void *buf, size_t len)
{
	return copy(vm, ipa, buf, len, false);
}

pvm_status_t vm_copy_to_guest(struct pvm_vm *vm, uint64_t ipa, const void *buf, size_t len)
{
	return copy(vm, ipa, (void *)buf, len, true);
}
