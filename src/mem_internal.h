/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Transitions for other parts of the core that already hold the memory
 * lock (and, for a VM, its lock): VM creation, teardown and reclaim.
 */
#ifndef PVM_MEM_INTERNAL_H
#define PVM_MEM_INTERNAL_H

#include <libpvm/mem.h>
#include <libpvm/vm.h>

#include "vm_internal.h"

/* Host donate hyp of [pa, pa + n pages). */
/*
 * Copy @len bytes at @pa, inside one page the host owns, into @buf (a
 * host call's argument block). PVM_E_INVAL (NULL, empty, crosses a page);
 * PVM_E_RANGE (outside managed memory); PVM_E_PERM (not the host's page).
 * Takes the memory lock.
 */
pvm_status_t mem_host_read(struct pvm_hyp *hyp, pvm_paddr_t pa, void *buf, size_t len);

/*
 * pvm_host_donate_guest(), and with @keep the pages keep the host's bytes
 * (only for pvm_vm_load_measured(), which measures them); without it they
 * are zeroed once the host lost them and, before the VM is sealed, recorded
 * in its RIM as unknown contents.
 */
pvm_status_t mem_host_donate_guest(struct pvm_hyp *hyp, unsigned vm, pvm_paddr_t pa, pvm_ipa_t ipa,
				   uint64_t npages, bool keep, size_t *need);

pvm_status_t mem_donate_hyp_locked(struct pvm_hyp *hyp, uint64_t pa, uint64_t n, size_t *need);

/* Mark hyp pages as in use (pool, VM pages): the host cannot ask for them back. */
void mem_mark_inuse_locked(struct pvm_hyp *hyp, uint64_t pa, uint64_t n);

/* Hyp donate host of [pa, pa + n pages), in use or not, zeroed and cleaned first. */
pvm_status_t mem_donate_host_locked(struct pvm_hyp *hyp, uint64_t pa, uint64_t n);

/* Reclaim the guest's mappings of [ipa, ipa + n pages): its own pages zeroed. */
pvm_status_t mem_reclaim_locked(struct pvm_hyp *hyp, struct pvm_vm *vm, uint64_t ipa, uint64_t n,
				size_t *need);

#endif
