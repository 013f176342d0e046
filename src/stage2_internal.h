/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stage-2 changes in two halves, for the ownership layer: a prepare that
 * checks the change and counts its table pages, kept in a struct s2_op,
 * and a commit that carries it out later without checking or descending
 * again. The public functions of stage2.h are both halves back to back.
 *
 * Between the two, the caller holds the regime's lock and changes nothing
 * in that regime; the pool must hold op->need free pages at the commit.
 */
#ifndef PVM_STAGE2_INTERNAL_H
#define PVM_STAGE2_INTERNAL_H

#include <libpvm/stage2.h>

/* Dropped subtrees waiting for the VMID-wide invalidation before they are freed. */
#define S2_DEFER_MAX 32u

struct s2_kind;

/* State of one map/unmap/protect/annotate operation, check and commit. */
struct s2_op {
	struct pvm_stage2 *s2;
	const struct s2_kind *kind; /* the operation's visitors */
	uint64_t start, end;
	uint64_t pa_off; /* pa - ipa, modulo 2^64 (map) */
	uint64_t target; /* what invalidated entries become (unmap/annotate) */
	uint64_t perms;	 /* new permission bits (protect) */
	uint32_t flags;
	uint64_t need;	  /* table pages the commit will take (check walk) */
	uint64_t *pte;	  /* the check found the range in one last-level table: here */
	uint64_t *parent; /* and the table entry pointing at that table */
	unsigned tlbis;	  /* per-IPA invalidations issued so far */
	bool vmid_dirty;  /* a VMID-wide invalidation is owed */
	unsigned ndefer;
	uint64_t defer[S2_DEFER_MAX]; /* subtree roots (PA | level) to free after it */
};

/* The check halves: what the public call would return, never PVM_E_NOMEM. */
pvm_status_t s2_map_prepare(struct s2_op *op, struct pvm_stage2 *s2, pvm_ipa_t ipa, pvm_paddr_t pa,
			    uint64_t size, pvm_prot_t prot, uint32_t flags);
pvm_status_t s2_annotate_prepare(struct s2_op *op, struct pvm_stage2 *s2, pvm_ipa_t ipa,
				 uint64_t size, unsigned owner);
pvm_status_t s2_protect_prepare(struct s2_op *op, struct pvm_stage2 *s2, pvm_ipa_t ipa,
				uint64_t size, pvm_prot_t prot);

/* The commit of a prepared op; the pool holds op->need pages, so it cannot fail. */
void s2_commit(struct s2_op *op);

#endif
