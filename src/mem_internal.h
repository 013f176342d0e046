/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Transitions for other parts of the core that already hold the memory
 * lock (and, for a VM, its lock): VM creation, teardown and reclaim.
 */
#ifndef PVM_MEM_INTERNAL_H
#define PVM_MEM_INTERNAL_H

#include <libpvm/mem.h>
#include <libpvm/vm.h>

/* Host donate hyp of [pa, pa + n pages). */
pvm_status_t mem_donate_hyp_locked(struct pvm_mem *mem, uint64_t pa, uint64_t n, size_t *need);

/* Mark hyp pages as in use (pool, VM pages): the host cannot ask for them back. */
void mem_mark_inuse_locked(struct pvm_mem *mem, uint64_t pa, uint64_t n);

/* Hyp donate host of [pa, pa + n pages), in use or not, zeroed and cleaned first. */
pvm_status_t mem_donate_host_locked(struct pvm_mem *mem, uint64_t pa, uint64_t n);

/* Reclaim the guest's mappings of [ipa, ipa + n pages): its own pages zeroed. */
pvm_status_t mem_reclaim_locked(struct pvm_mem *mem, struct pvm_vm *vm, uint64_t ipa, uint64_t n,
				size_t *need);

/* The VM of a handle, or NULL; under mem->lock. */
struct pvm_vm *vm_find(struct pvm_mem *mem, unsigned handle);

#endif
