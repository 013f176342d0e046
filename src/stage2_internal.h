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

/*
 * One page whose entry sits in an existing last-level table: the common
 * case of single-page transitions. Found once (or through the last-table
 * cache), the entry serves the lookup, the check and the commit, and its
 * change is a single descriptor: no walk, no table page.
 */
struct s2_page {
	struct pvm_stage2 *s2;
	uint64_t ipa;
	uint64_t *pte;	  /* the page's level-3 entry */
	uint64_t *parent; /* the table entry pointing at its table */
	uint64_t desc;	  /* what a prepare decided the entry becomes */
};

/* Find the entry of ipa (page aligned, inside the regime); false if a block or nothing covers it.
 */
bool s2_page_find(struct s2_page *pg, struct pvm_stage2 *s2, uint64_t ipa);
/* The PA the entry maps (*pa), or false if it is invalid. */
bool s2_page_pa(const struct s2_page *pg, uint64_t *pa);
/*
 * Prepare what the range operation would do to this page alone; the
 * arguments are trusted (valid protections; a PA of managed memory, which
 * every regime can map, as VMs share the host's PA size). True
 * when its check passes; false when the page needs the range operation
 * (which also reports the error): a check that fails, or an unmap that
 * would empty the table. Nothing changes either way.
 */
bool s2_page_map_prepare(struct s2_page *pg, uint64_t pa, pvm_prot_t prot);
bool s2_page_annotate_prepare(struct s2_page *pg, unsigned owner);
bool s2_page_protect_prepare(struct s2_page *pg, pvm_prot_t prot);
/* Commit a prepared page, with its TLBI if one is needed; the regime is unchanged since. */
void s2_page_commit(const struct s2_page *pg);

#endif
