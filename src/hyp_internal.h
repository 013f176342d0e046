/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor object's layout (include/libpvm/hyp.h): private to the
 * core. It lives at the start of the carve-out (pvm_hyp_init()), followed
 * by the page metadata.
 */
#ifndef PVM_HYP_INTERNAL_H
#define PVM_HYP_INTERNAL_H

#include <libpvm/hyp.h>
#include <libpvm/mem.h>
#include <libpvm/pool.h>
#include <libpvm/port.h>
#include <libpvm/stage2.h>

#include "attest/attest_state.h"

/* Flags of struct pvm_page. */
#define PVM_PAGE_F_HYP_BORROWS	(1u << 0) /* the hypervisor borrows this host page */
#define PVM_PAGE_F_HOST_BORROWS (1u << 1) /* the host borrows this guest page */
#define PVM_PAGE_F_CARVEOUT	(1u << 2) /* the hypervisor's own boot carve-out */
#define PVM_PAGE_F_INUSE	(1u << 3) /* a hyp page in use: pool, table, a VM's own page */

/*
 * Metadata of one physical page: 8 bytes, in hypervisor memory. The owner's
 * state is SHARED_OWNED exactly when the page has a borrower (a flag or a
 * non-zero guest count), so it is not stored twice.
 */
struct pvm_page {
	uint8_t owner;	 /* component id of the owner */
	uint8_t flags;	 /* PVM_PAGE_F_* */
	uint16_t guests; /* guest mappings borrowing this host page */
	uint16_t pins;	 /* hypervisor pins of a page it borrows */
	uint16_t check;	 /* scratch for pvm_mem_check(); zero otherwise */
};

struct pvm_vm;

struct pvm_hyp {
	pvm_lock_t lock;		     /* everything here but the VMs' own stage-2s */
	uint64_t base;			     /* first managed PA */
	uint64_t npages;		     /* managed pages */
	struct pvm_page *meta;		     /* npages entries, in the carve-out */
	struct pvm_stage2 host;		     /* the host's identity stage-2 (VMID 0) */
	struct pvm_pool pool;		     /* table pages for every stage-2 */
	struct pvm_vm *vms[PVM_VM_MAX];	     /* VMs by handle */
	uint64_t mmio[PVM_HOST_MMIO_MAX][2]; /* the host's device ranges, [start, end) */
	unsigned nmmio;			     /* ranges in mmio */
	struct attest_hyp attest;	     /* the hypervisor layer of attestation (secrets) */
};

#endif /* PVM_HYP_INTERNAL_H */
