/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memory ownership: the page-state machine between host, hypervisor and
 * guests (mem.h has the table of transitions).
 *
 * Every transition is the same four steps (run_xfer() for a range of
 * pages, run_guest_xfer() for a guest's range of IPAs, page_xfer() for one
 * page found in its tables; the three differ only in how they prepare, and
 * all commit through commit()):
 *   1. check every page's metadata against the transition's rule;
 *   2. prepare every stage-2 change (the guest's, and the host's, which is
 *      derived from the metadata the pages will have) and add up the table
 *      pages they need: if the pool is short, fail having changed nothing;
 *   3. commit the stage-2 changes, revoking access before granting it, and
 *      zeroing pages that leave a guest in between;
 *   4. commit the metadata.
 * Steps 3 and 4 cannot fail.
 *
 * The host's stage-2 entry for a page is a pure function of the page's
 * metadata (host_entry()), so a transition only says how the metadata
 * changes and the host side follows; the invariant checker uses the same
 * function to prove tables and metadata agree.
 */
#include <libpvm/mem.h>
#include <libpvm/vm.h>

#include "attest/attest_internal.h"
#include "check.h"
#include "mem_internal.h"
#include "stage2_internal.h"

#include <string.h>

_Static_assert(sizeof(struct pvm_page) == 8, "page metadata must stay 8 bytes");

/* Guest-to-host sharing is for data (virtio rings, bounce buffers), never code. */
#define HOST_BORROW_PROT (PVM_PROT_RW | PVM_PROT_SW(PVM_PAGE_SHARED_BORROWED))

static inline uint64_t pages_to_bytes(uint64_t n)
{
	return n << PVM_PAGE_SHIFT;
}

/* Pages of metadata for npages managed pages. */
static inline uint64_t meta_pages(uint64_t npages)
{
	return (npages * sizeof(struct pvm_page) + PVM_PAGE_SIZE - 1) / PVM_PAGE_SIZE;
}

static inline struct pvm_page *page_at(struct pvm_hyp *hyp, uint64_t pa)
{
	return &hyp->meta[(pa - hyp->base) >> PVM_PAGE_SHIFT];
}

static inline bool lent(const struct pvm_page *p)
{
	return p->guests || (p->flags & (PVM_PAGE_F_HYP_BORROWS | PVM_PAGE_F_HOST_BORROWS));
}

static inline enum pvm_page_state owner_state(const struct pvm_page *p)
{
	return lent(p) ? PVM_PAGE_SHARED_OWNED : PVM_PAGE_OWNED;
}

/* What the host stage-2 holds for a page: MAPPED | prot, or the owner's annotation. */
#define HOST_MAPPED (1u << 31)

static uint32_t host_entry(const struct pvm_page *p)
{
	if (p->owner == PVM_ID_HOST)
		return HOST_MAPPED | PVM_PROT_RWX | PVM_PROT_SW(owner_state(p));
	if (p->flags & PVM_PAGE_F_HOST_BORROWS)
		return HOST_MAPPED | HOST_BORROW_PROT;
	return p->owner;
}

static pvm_status_t check_pages(const struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t n)
{
	uint64_t a = pvm_pa_val(pa);

	/* A count whose size in bytes does not fit in 64 bits is no range at all. */
	if (!hyp || n == 0 || n >> (64 - PVM_PAGE_SHIFT) || (a & (PVM_PAGE_SIZE - 1)))
		return PVM_E_INVAL;
	if (a < hyp->base || n > hyp->npages || (a - hyp->base) / PVM_PAGE_SIZE > hyp->npages - n)
		return PVM_E_RANGE;
	return PVM_OK;
}

/* ---- Stage-2 changes: prepare (count) or commit -------------------------- */

enum chg_kind { CHG_NONE, CHG_MAP, CHG_ANNOTATE, CHG_PROTECT };

struct chg {
	struct pvm_stage2 *s2;
	enum chg_kind kind;
	uint64_t ipa, pa, npages;
	pvm_prot_t prot;
	unsigned owner;
};

/* Check a change and count its table pages (op->need); nothing changes yet. */
static pvm_status_t chg_prepare(const struct chg *c, struct s2_op *op)
{
	uint64_t size = pages_to_bytes(c->npages);

	op->need = 0;
	switch (c->kind) {
	case CHG_NONE:
		return PVM_OK;
	case CHG_MAP:
		return s2_map_prepare(op, c->s2, pvm_ipa(c->ipa), pvm_pa(c->pa), size, c->prot, 0);
	case CHG_ANNOTATE:
		return s2_annotate_prepare(op, c->s2, pvm_ipa(c->ipa), size, c->owner);
	case CHG_PROTECT:
		return s2_protect_prepare(op, c->s2, pvm_ipa(c->ipa), size, c->prot);
	}
	return PVM_E_INVAL;
}

/*
 * Prepared, and the pool holds what it needs: this cannot fail, and does
 * not check or descend again.
 */
static void chg_commit(const struct chg *c, struct s2_op *op)
{
	if (c->kind != CHG_NONE)
		s2_commit(op);
}

/*
 * A change worked out at commit time (a host run, a guest run after the
 * first): the transition's checks and reservation already cover it, so
 * its own check passes.
 */
static void chg_do(const struct chg *c)
{
	struct s2_op op;

	PVM_CHECK_OK(chg_prepare(c, &op));
	chg_commit(c, &op);
}

/* ---- Transitions ----------------------------------------------------------- */

struct xfer;
/* Status of one page for this transition (PVM_OK if it may move). */
typedef pvm_status_t (*rule_fn)(const struct xfer *x, const struct pvm_page *p);
/* The page's metadata after the transition. */
typedef void (*apply_fn)(const struct xfer *x, struct pvm_page *p);

struct xfer {
	struct pvm_hyp *hyp;
	struct pvm_vm *vm; /* the guest involved, or NULL */
	unsigned id;	   /* its component id */
	rule_fn rule;
	apply_fn apply;
	bool guest_first; /* the guest change revokes: do it before the host's */
	bool scrub;	  /* zero guest-owned pages between the two */
	bool to_guest;	  /* pages enter the guest: make memory coherent for it first */
	bool wipe;	  /* ... and zero them first: the guest gets memory, not the host's bytes */
	struct chg guest; /* the guest's stage-2 change */
	struct s2_op *gop; /* its prepared op: large, so on the stack of run_(guest_)xfer */
	size_t pages;	   /* table pages the prepared changes need */
	bool trust_host;   /* the pool covers any host change: skip preparing it */
	unsigned runs;	   /* guest runs seen by the check pass, and the first one */
	uint64_t run_ipa, run_pa, run_n;
};

/* A transition runs under the memory lock, and the guest's lock when it has one (mem.h's order). */
static inline void xfer_assert_locked(const struct xfer *x)
{
	pvm_assert_lock_held(&x->hyp->lock);
	if (x->vm)
		pvm_assert_lock_held(&x->vm->lock);
}

/*
 * The most table pages the host side of a transition over n pages can
 * take: each run of pages splits at most one chain of three tables at each
 * end, and there are at most n runs. With that many pages in the pool the
 * host side needs no preparing: its entries follow from the metadata just
 * checked (the invariant pvm_mem_check() proves), so they cannot refuse.
 */
static bool host_covered(const struct xfer *x, uint64_t n)
{
	size_t have = pvm_pool_free_pages(&x->hyp->pool);

	return n <= 64 && have >= x->pages + 6 * n;
}

/* The host stage-2 change of n pages at pa whose entry goes from before to after. */
static void host_chg(struct chg *c, uint64_t pa, uint64_t n, uint32_t before, uint32_t after)
{
	c->ipa = c->pa = pa;
	c->npages = n;
	if (!(after & HOST_MAPPED)) {
		c->kind = CHG_ANNOTATE;
		c->owner = after;
	} else {
		c->kind = (before & HOST_MAPPED) ? CHG_PROTECT : CHG_MAP;
		c->prot = after & ~HOST_MAPPED;
	}
}

/* Tell the port what the host may do on the pages of a committed host change. */
static void host_notify(const struct chg *c)
{
	pvm_port_host_access(pvm_pa(c->pa), pages_to_bytes(c->npages),
			     c->kind == CHG_ANNOTATE ? 0 : c->prot & PVM_PROT_RWX);
}

/*
 * Walk [pa, pa + n) in runs of pages whose host entry goes from the same
 * old value to the same new value, and prepare or commit one host stage-2
 * change per run that changes.
 */
static pvm_status_t host_sync(struct xfer *x, uint64_t pa, uint64_t n, bool commit)
{
	struct pvm_hyp *hyp = x->hyp;
	uint64_t i = 0;

	pvm_assert_lock_held(&hyp->lock);
	while (i < n) {
		struct pvm_page *p = page_at(hyp, pa + pages_to_bytes(i)), q = *p;
		uint32_t before = host_entry(p), after;
		uint64_t j = i + 1;
		struct chg c = {.s2 = &hyp->host};

		x->apply(x, &q);
		after = host_entry(&q);
		for (; j < n; j++) {
			struct pvm_page *r = p + (j - i), s = *r;

			x->apply(x, &s);
			if (host_entry(r) != before || host_entry(&s) != after)
				break;
		}
		if (before != after) {
			host_chg(&c, pa + pages_to_bytes(i), j - i, before, after);
			if (commit) {
				chg_do(&c);
				host_notify(&c);
			} else {
				struct s2_op op;
				pvm_status_t ret = chg_prepare(&c, &op);

				if (ret)
					return ret;
				x->pages += op.need;
			}
		}
		i = j;
	}
	return PVM_OK;
}

static pvm_status_t check_rule(struct xfer *x, uint64_t pa, uint64_t n)
{
	struct pvm_page *p = page_at(x->hyp, pa);

	for (uint64_t i = 0; i < n; i++) {
		pvm_status_t ret = x->rule(x, &p[i]);

		if (ret)
			return ret;
	}
	return PVM_OK;
}

static void commit_meta(struct xfer *x, uint64_t pa, uint64_t n)
{
	struct pvm_page *p = page_at(x->hyp, pa);

	for (uint64_t i = 0; i < n; i++)
		x->apply(x, &p[i]);
}

/*
 * Zero the pages of a run that the component x->id owns: they are about to
 * reach the host. Consecutive ones are zeroed and cleaned in one go
 * (managed memory is linearly mapped, see port.h).
 */
static void scrub_run(struct xfer *x, uint64_t pa, uint64_t n)
{
	struct pvm_page *p = page_at(x->hyp, pa);
	uint64_t i = 0;

	while (i < n) {
		uint64_t j = i;

		while (j < n && p[j].owner == x->id)
			j++;
		if (j > i) {
			void *va = pvm_port_phys_to_virt(pvm_pa(pa + pages_to_bytes(i)));

			memset(va, 0, (size_t)pages_to_bytes(j - i));
			pvm_port_dcache_clean_poc(va, (size_t)pages_to_bytes(j - i));
		}
		i = j + 1;
	}
}

/*
 * Pages about to appear in a guest's stage-2, the host's write access
 * already revoked (donation) or restated (sharing): what the host wrote
 * must reach memory for a guest whose MMU is off, no stale line may survive
 * for a guest whose MMU is on, and an executable mapping must not fetch
 * stale instructions (port.h).
 */
static void sync_for_guest(const struct xfer *x, uint64_t pa, uint64_t n)
{
	void *va = pvm_port_phys_to_virt(pvm_pa(pa));
	size_t size = (size_t)pages_to_bytes(n);

	/* The host's access is already revoked: what it writes from here on faults. */
	if (x->wipe)
		memset(va, 0, size);
	pvm_port_dcache_clean_inval_poc(va, size);
	if (x->guest.prot & PVM_PROT_X)
		pvm_port_icache_inval_pou(va, size);
}

static pvm_status_t reserve(struct xfer *x, size_t *need)
{
	size_t have = pvm_pool_free_pages(&x->hyp->pool);

	if (x->pages > have) {
		if (need)
			*need = x->pages - have;
		return PVM_E_NOMEM;
	}
	return PVM_OK;
}

/* ---- The commit --------------------------------------------------------- */

static void guest_commit(struct xfer *x, uint64_t ipa, uint64_t n);

/* How the guest's change was prepared. */
enum guest_prepared {
	GUEST_OP,   /* one range operation, x->gop */
	GUEST_RUN,  /* one run of a guest-IPA range (guest_commit()) */
	GUEST_PAGE, /* one entry found in its last-level table (page_xfer()) */
};

/* Steps 3 and 4 of one transition, as its path prepared them. */
struct commit {
	struct xfer *x;
	uint64_t pa, n; /* the pages */
	uint64_t ipa;	/* GUEST_RUN: the run's first IPA */
	enum guest_prepared guest;
	const struct s2_page *g; /* GUEST_PAGE: the guest's entry */
	/* The single-page path: the host's entry (NULL when it does not change) and the page's new
	 * metadata. */
	const struct s2_page *h;
	const struct chg *h_chg;
	const struct pvm_page *meta;
};

static inline __attribute__((always_inline)) void commit_guest(const struct commit *c)
{
	switch (c->guest) {
	case GUEST_OP:
		chg_commit(&c->x->guest, c->x->gop);
		break;
	case GUEST_RUN:
		guest_commit(c->x, c->ipa, c->n);
		break;
	case GUEST_PAGE:
		s2_page_commit(c->g);
		break;
	}
}

static inline __attribute__((always_inline)) void commit_host(const struct commit *c)
{
	if (!c->meta) {
		PVM_CHECK_OK(host_sync(c->x, c->pa, c->n, true));
	} else if (c->h) {
		s2_page_commit(c->h);
		host_notify(c->h_chg);
	}
}

/*
 * (Inlined into each caller, so that what the struct says of the path is a
 * constant there: the single-page path pays nothing for the others.)
 *
 * The one order every transition commits in; the range paths and the
 * single-page path differ only in how they prepared (struct commit says).
 * Revoke before granting: at no moment may two components write a page.
 * Pages leaving a component are zeroed while nobody can reach them, and a
 * page the guest receives is clean (its instructions visible) before the
 * guest's entry exists. The metadata last. Nothing here can fail.
 */
static inline __attribute__((always_inline)) void commit(const struct commit *c)
{
	struct xfer *x = c->x;

	if (x->guest_first)
		commit_guest(c);
	if (x->scrub)
		scrub_run(x, c->pa, c->n);
	commit_host(c);
	if (x->to_guest)
		sync_for_guest(x, c->pa, c->n);
	if (!x->guest_first)
		commit_guest(c);
	if (c->meta)
		*page_at(x->hyp, c->pa) = *c->meta;
	else
		commit_meta(x, c->pa, c->n);
}

/*
 * A transition over one contiguous range of pages [pa, pa + n), with at
 * most one change to the guest's stage-2 (for host-initiated calls).
 */
static pvm_status_t run_xfer(struct xfer *x, uint64_t pa, uint64_t n, size_t *need)
{
	struct s2_op gop;
	pvm_status_t ret;

	xfer_assert_locked(x);
	x->gop = &gop;
	ret = check_rule(x, pa, n);
	if (ret)
		return ret;
	ret = chg_prepare(&x->guest, x->gop);
	if (ret)
		return ret;
	x->pages = x->gop->need;
	if (!host_covered(x, n)) {
		ret = host_sync(x, pa, n, false);
		if (ret)
			return ret;
		ret = reserve(x, need);
		if (ret)
			return ret;
	}

	commit(&(struct commit){.x = x, .pa = pa, .n = n, .guest = GUEST_OP});
	return PVM_OK;
}

/* ---- One page ------------------------------------------------------------- */

/* Prepare change c of the page at pg alone: false if it needs chg_prepare(). */
static bool chg_page_prepare(const struct chg *c, struct s2_page *pg)
{
	switch (c->kind) {
	case CHG_MAP:
		return s2_page_map_prepare(pg, c->pa, c->prot);
	case CHG_ANNOTATE:
		return s2_page_annotate_prepare(pg, c->owner);
	case CHG_PROTECT:
		return s2_page_protect_prepare(pg, c->prot);
	case CHG_NONE:
		break;
	}
	return false;
}

/*
 * A transition of the one page at pa, whose guest entry g has been found:
 * what most single-page calls are (a donation page by page, a guest
 * sharing a ring). When both stage-2 entries sit in existing last-level
 * tables, it checks and commits as run_xfer() and run_commit() do, in the
 * same order and with the same result, but finds each entry once, walks
 * no runs, and needs no table page (so the pool cannot be short). False,
 * having changed nothing, when a stage-2 change needs the range
 * operations or refuses: the general path then decides which status wins.
 */
static bool page_xfer(struct xfer *x, struct s2_page *g, uint64_t pa, pvm_status_t *ret)
{
	struct pvm_page *p = page_at(x->hyp, pa), q = *p;
	struct chg host = {.s2 = &x->hyp->host};
	struct s2_page h;
	uint32_t before, after;

	xfer_assert_locked(x);
	*ret = x->rule(x, p);
	if (*ret)
		return true;
	if (!chg_page_prepare(&x->guest, g))
		return false;
	x->apply(x, &q);
	before = host_entry(p);
	after = host_entry(&q);
	if (before != after) {
		host_chg(&host, pa, 1, before, after);
		if (!s2_page_find(&h, host.s2, pa) || !chg_page_prepare(&host, &h))
			return false;
	}

	commit(&(struct commit){.x = x,
				.pa = pa,
				.n = 1,
				.guest = GUEST_PAGE,
				.g = g,
				.h = before != after ? &h : NULL,
				.h_chg = &host,
				.meta = &q});
	return true;
}

/* ---- Guest-IPA transitions: the pages come from the guest's stage-2 ------ */

/*
 * Visit the guest's mappings of [ipa, ipa + n pages) as runs of contiguous
 * physical pages. Stops at the first unmapped page (PVM_E_NOENT), a page
 * outside managed memory (a broken invariant: PVM_E_STATE) or a non-zero
 * return of fn. A run boundary is a PA discontinuity, which only happens at
 * a leaf boundary: so changing the guest's stage-2 run by run splits no
 * more blocks than changing the whole range at once would.
 */
typedef pvm_status_t (*guest_run_fn)(struct xfer *x, uint64_t ipa, uint64_t pa, uint64_t n);

static pvm_status_t guest_runs(struct xfer *x, uint64_t ipa, uint64_t n, guest_run_fn fn)
{
	uint64_t start = 0, len = 0, run_ipa = ipa, i = 0;

	while (i < n) {
		uint64_t a = ipa + pages_to_bytes(i), pa, span;
		struct pvm_stage2_mapping m;

		if (pvm_stage2_lookup(&x->vm->s2, pvm_ipa(a), &m) != PVM_OK) {
			/* Pages come in address order: the run before the hole decides first. */
			pvm_status_t ret = len ? fn(x, run_ipa, start, len) : PVM_OK;

			return ret ? ret : PVM_E_NOENT;
		}
		/* A block is contiguous: take the rest of it (within the range) at once. */
		span = (m.base + m.size - a) >> PVM_PAGE_SHIFT;
		if (span > n - i)
			span = n - i;
		pa = pvm_pa_val(m.pa);
		if (check_pages(x->hyp, m.pa, span))
			return PVM_E_STATE;
		i += span;
		if (len && pa == start + pages_to_bytes(len)) {
			len += span;
			continue;
		}
		if (len) {
			pvm_status_t ret = fn(x, run_ipa, start, len);

			if (ret)
				return ret;
		}
		run_ipa = a;
		start = pa;
		len = span;
	}
	return fn(x, run_ipa, start, len);
}

static void set_marks(struct xfer *x, uint64_t pa, uint64_t n, uint16_t v)
{
	struct pvm_page *p = page_at(x->hyp, pa);

	for (uint64_t i = 0; i < n; i++)
		p[i].check = v;
}

static pvm_status_t run_unmark(struct xfer *x, uint64_t ipa, uint64_t pa, uint64_t n)
{
	(void)ipa;
	set_marks(x, pa, n, 0);
	return PVM_OK;
}

/*
 * The check pass over one run. A page may appear twice in a guest's range
 * (the host lent it at two IPAs); each run's host change is predicted from
 * the metadata as it is now, which would be wrong for the second
 * occurrence, so such a range is refused: marks in the checker's scratch
 * field find it, and run_unmark() clears them.
 */
static pvm_status_t run_check(struct xfer *x, uint64_t ipa, uint64_t pa, uint64_t n)
{
	struct pvm_page *p = page_at(x->hyp, pa);
	pvm_status_t ret = check_rule(x, pa, n);

	if (!x->runs++) {
		x->run_ipa = ipa;
		x->run_pa = pa;
		x->run_n = n;
	}
	if (ret)
		return ret;
	if (x->runs > 1) {
		/* A second run: mark the first (single runs, the usual case, cost nothing). */
		if (x->runs == 2)
			set_marks(x, x->run_pa, x->run_n, 1);
		for (uint64_t i = 0; i < n; i++) {
			if (p[i].check)
				return PVM_E_STATE;
			p[i].check = 1;
		}
	}
	if (x->trust_host)
		return PVM_OK;
	return host_sync(x, pa, n, false);
}

/* The guest's change over one run: the prepared one when the range is a single run. */
static void guest_commit(struct xfer *x, uint64_t ipa, uint64_t n)
{
	struct chg g = x->guest;

	if (x->runs == 1) {
		chg_commit(&x->guest, x->gop);
		return;
	}
	g.ipa = ipa;
	g.npages = n;
	chg_do(&g);
}

static pvm_status_t run_commit(struct xfer *x, uint64_t ipa, uint64_t pa, uint64_t n)
{
	commit(&(struct commit){.x = x, .pa = pa, .n = n, .ipa = ipa, .guest = GUEST_RUN});
	return PVM_OK;
}

static pvm_status_t run_guest_xfer(struct xfer *x, uint64_t ipa, uint64_t n, size_t *need)
{
	struct s2_op gop;
	pvm_status_t ret;

	x->gop = &gop;
	/*
	 * The pages first, in address order (mem.h's precedence), then the
	 * guest's change; until it is prepared, count it at its worst: a
	 * protect or unmap splits at most two chains of three tables.
	 */
	x->pages = 6;
	x->trust_host = host_covered(x, n);
	x->pages = 0;
	ret = guest_runs(x, ipa, n, run_check);
	/* Clear the duplicate marks (the walk stops where the check pass stopped, or later). */
	if (x->runs > 1)
		(void)guest_runs(x, ipa, n,
				 run_unmark); /* the same holes as the check: its status */
	if (ret)
		return ret;
	ret = chg_prepare(&x->guest, x->gop);
	if (ret)
		return ret;
	x->pages += x->gop->need;
	ret = reserve(x, need);
	if (ret)
		return ret;
	/* One run (the usual case): the check pass already found it. */
	if (x->runs == 1)
		return run_commit(x, x->run_ipa, x->run_pa, x->run_n);
	return guest_runs(x, ipa, n, run_commit);
}

/* A guest-IPA transition of the one page at ipa, if page_xfer() can do it. */
static bool guest_page(struct xfer *x, uint64_t ipa, pvm_status_t *ret)
{
	struct s2_page g;
	uint64_t pa;

	if (!s2_page_find(&g, x->guest.s2, ipa))
		return false;
	/* As guest_runs() decides: unmapped, or (a broken invariant) not managed memory. */
	if (!s2_page_pa(&g, &pa))
		*ret = PVM_E_NOENT;
	else if (check_pages(x->hyp, pvm_pa(pa), 1))
		*ret = PVM_E_STATE;
	else
		return page_xfer(x, &g, pa, ret);
	return true;
}

/* ---- Locking and VM lookup --------------------------------------------- */

static pvm_status_t check_ipa(const struct pvm_vm *vm, pvm_ipa_t ipa, uint64_t n)
{
	uint64_t a = pvm_ipa_val(ipa);

	if (a & (PVM_PAGE_SIZE - 1))
		return PVM_E_INVAL;
	if (a >= vm->s2.ipa_limit || n > (vm->s2.ipa_limit - a) / PVM_PAGE_SIZE)
		return PVM_E_RANGE;
	return PVM_OK;
}

/* ---- Rules -------------------------------------------------------------- */

static pvm_status_t rule_host_owned_unlent(const struct xfer *x, const struct pvm_page *p)
{
	(void)x;
	return p->owner == PVM_ID_HOST && !lent(p) ? PVM_OK : PVM_E_STATE;
}

static pvm_status_t rule_share_hyp(const struct xfer *x, const struct pvm_page *p)
{
	(void)x;
	return p->owner == PVM_ID_HOST && !(p->flags & PVM_PAGE_F_HYP_BORROWS) ? PVM_OK
									       : PVM_E_STATE;
}

static void apply_share_hyp(const struct xfer *x, struct pvm_page *p)
{
	(void)x;
	p->flags |= PVM_PAGE_F_HYP_BORROWS;
}

static pvm_status_t rule_unshare_hyp(const struct xfer *x, const struct pvm_page *p)
{
	(void)x;
	if (p->owner != PVM_ID_HOST || !(p->flags & PVM_PAGE_F_HYP_BORROWS))
		return PVM_E_STATE;
	return p->pins ? PVM_E_BUSY : PVM_OK;
}

static void apply_unshare_hyp(const struct xfer *x, struct pvm_page *p)
{
	(void)x;
	p->flags &= (uint8_t)~PVM_PAGE_F_HYP_BORROWS;
}

static pvm_status_t rule_pin(const struct xfer *x, const struct pvm_page *p)
{
	(void)x;
	if (p->owner != PVM_ID_HOST || !(p->flags & PVM_PAGE_F_HYP_BORROWS))
		return PVM_E_STATE;
	return p->pins == UINT16_MAX ? PVM_E_BUSY : PVM_OK;
}

static void apply_pin(const struct xfer *x, struct pvm_page *p)
{
	(void)x;
	p->pins++;
}

static pvm_status_t rule_unpin(const struct xfer *x, const struct pvm_page *p)
{
	(void)x;
	return (p->flags & PVM_PAGE_F_HYP_BORROWS) && p->pins ? PVM_OK : PVM_E_STATE;
}

static void apply_unpin(const struct xfer *x, struct pvm_page *p)
{
	(void)x;
	p->pins--;
}

static void apply_to_owner(const struct xfer *x, struct pvm_page *p)
{
	p->owner = (uint8_t)x->id;
	p->flags &= PVM_PAGE_F_CARVEOUT;
}

static void apply_to_host(const struct xfer *x, struct pvm_page *p)
{
	(void)x;
	p->owner = PVM_ID_HOST;
	p->flags = 0;
}

/* What the host may ask back: loose hyp pages, never ones the hypervisor uses. */
static pvm_status_t rule_hyp_donate_host(const struct xfer *x, const struct pvm_page *p)
{
	(void)x;
	return p->owner == PVM_ID_HYP && !(p->flags & (PVM_PAGE_F_CARVEOUT | PVM_PAGE_F_INUSE))
		       ? PVM_OK
		       : PVM_E_STATE;
}

/* What the hypervisor itself releases (pool pages, a dead VM's pages). */
static pvm_status_t rule_hyp_release(const struct xfer *x, const struct pvm_page *p)
{
	(void)x;
	return p->owner == PVM_ID_HYP && !(p->flags & PVM_PAGE_F_CARVEOUT) ? PVM_OK : PVM_E_STATE;
}

static pvm_status_t rule_share_guest(const struct xfer *x, const struct pvm_page *p)
{
	(void)x;
	if (p->owner != PVM_ID_HOST || (p->flags & PVM_PAGE_F_HYP_BORROWS))
		return PVM_E_STATE;
	return p->guests == UINT16_MAX ? PVM_E_BUSY : PVM_OK;
}

static void apply_share_guest(const struct xfer *x, struct pvm_page *p)
{
	(void)x;
	p->guests++;
}

static pvm_status_t rule_unshare_guest(const struct xfer *x, const struct pvm_page *p)
{
	(void)x;
	return p->owner == PVM_ID_HOST && p->guests ? PVM_OK : PVM_E_STATE;
}

static void apply_unshare_guest(const struct xfer *x, struct pvm_page *p)
{
	(void)x;
	p->guests--;
}

static pvm_status_t rule_guest_share_host(const struct xfer *x, const struct pvm_page *p)
{
	return p->owner == x->id && !lent(p) ? PVM_OK : PVM_E_STATE;
}

static void apply_guest_share_host(const struct xfer *x, struct pvm_page *p)
{
	(void)x;
	p->flags |= PVM_PAGE_F_HOST_BORROWS;
}

static pvm_status_t rule_guest_unshare_host(const struct xfer *x, const struct pvm_page *p)
{
	return p->owner == x->id && (p->flags & PVM_PAGE_F_HOST_BORROWS) ? PVM_OK : PVM_E_STATE;
}

static void apply_guest_unshare_host(const struct xfer *x, struct pvm_page *p)
{
	(void)x;
	p->flags &= (uint8_t)~PVM_PAGE_F_HOST_BORROWS;
}

static pvm_status_t rule_guest_owned_unlent(const struct xfer *x, const struct pvm_page *p)
{
	return p->owner == x->id && !lent(p) ? PVM_OK : PVM_E_STATE;
}

/* Reclaim: the guest's own pages (shared or not) and host pages it borrows. */
static pvm_status_t rule_reclaim(const struct xfer *x, const struct pvm_page *p)
{
	if (p->owner == x->id)
		return PVM_OK;
	return p->owner == PVM_ID_HOST && p->guests ? PVM_OK : PVM_E_STATE;
}

static void apply_reclaim(const struct xfer *x, struct pvm_page *p)
{
	if (p->owner == x->id)
		apply_to_host(x, p);
	else
		p->guests--;
}

/* ---- Host <-> hypervisor ------------------------------------------------ */

pvm_status_t mem_donate_hyp_locked(struct pvm_hyp *hyp, uint64_t pa, uint64_t n, size_t *need)
{
	struct xfer x = {.hyp = hyp,
			 .id = PVM_ID_HYP,
			 .rule = rule_host_owned_unlent,
			 .apply = apply_to_owner};

	return run_xfer(&x, pa, n, need);
}

void mem_mark_inuse_locked(struct pvm_hyp *hyp, uint64_t pa, uint64_t n)
{
	struct pvm_page *p = page_at(hyp, pa);

	pvm_assert_lock_held(&hyp->lock);
	for (uint64_t i = 0; i < n; i++)
		p[i].flags |= PVM_PAGE_F_INUSE;
}

static pvm_status_t donate_host_locked(struct pvm_hyp *hyp, uint64_t pa, uint64_t n, rule_fn rule,
				       size_t *need)
{
	struct xfer x = {
		.hyp = hyp, .id = PVM_ID_HYP, .rule = rule, .apply = apply_to_host, .scrub = true};

	return run_xfer(&x, pa, n, need);
}

pvm_status_t mem_donate_host_locked(struct pvm_hyp *hyp, uint64_t pa, uint64_t n)
{
	return donate_host_locked(hyp, pa, n, rule_hyp_release, NULL);
}

pvm_status_t mem_reclaim_locked(struct pvm_hyp *hyp, struct pvm_vm *vm, uint64_t ipa, uint64_t n,
				size_t *need)
{
	struct xfer x = {.hyp = hyp,
			 .vm = vm,
			 .id = PVM_ID_GUEST(vm->handle),
			 .rule = rule_reclaim,
			 .apply = apply_reclaim,
			 .guest_first = true,
			 .scrub = true,
			 .guest = {.s2 = &vm->s2, .kind = CHG_ANNOTATE, .ipa = ipa, .npages = n}};

	return run_guest_xfer(&x, ipa, n, need);
}

static pvm_status_t host_hyp(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t n, rule_fn rule,
			     apply_fn apply, size_t *need)
{
	struct xfer x = {.hyp = hyp, .id = PVM_ID_HYP, .rule = rule, .apply = apply};
	pvm_status_t ret;

	if (need)
		*need = 0;
	ret = check_pages(hyp, pa, n);
	if (ret)
		return ret;
	pvm_port_lock(&hyp->lock);
	ret = run_xfer(&x, pvm_pa_val(pa), n, need);
	pvm_port_unlock(&hyp->lock);
	return ret;
}

pvm_status_t pvm_host_share_hyp(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t npages, size_t *need)
{
	return host_hyp(hyp, pa, npages, rule_share_hyp, apply_share_hyp, need);
}

pvm_status_t pvm_host_unshare_hyp(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t npages,
				  size_t *need)
{
	return host_hyp(hyp, pa, npages, rule_unshare_hyp, apply_unshare_hyp, need);
}

/* Pins live in the metadata only (host_entry() ignores them): no stage-2 changes. */
pvm_status_t pvm_hyp_pin_shared(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t npages)
{
	return host_hyp(hyp, pa, npages, rule_pin, apply_pin, NULL);
}

pvm_status_t pvm_hyp_unpin_shared(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t npages)
{
	return host_hyp(hyp, pa, npages, rule_unpin, apply_unpin, NULL);
}

pvm_status_t pvm_host_donate_hyp(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t npages, size_t *need)
{
	return host_hyp(hyp, pa, npages, rule_host_owned_unlent, apply_to_owner, need);
}

pvm_status_t pvm_hyp_donate_host(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t npages, size_t *need)
{
	pvm_status_t ret;

	if (need)
		*need = 0;
	ret = check_pages(hyp, pa, npages);
	if (ret)
		return ret;
	pvm_port_lock(&hyp->lock);
	ret = donate_host_locked(hyp, pvm_pa_val(pa), npages, rule_hyp_donate_host, need);
	pvm_port_unlock(&hyp->lock);
	return ret;
}

/*
 * A host block (a leaf larger than a page) that holds part of [a, end) and
 * reaches outside it: donating its pages splits it. Its whole range, and
 * its permissions and state bits, go to *e.
 */
static bool edge_block(struct pvm_hyp *hyp, uint64_t at, uint64_t a, uint64_t end,
		       struct pvm_stage2_mapping *e)
{
	return pvm_stage2_lookup(&hyp->host, pvm_ipa(at), e) == PVM_OK && e->valid &&
	       e->size > PVM_PAGE_SIZE && (e->base < a || e->base + e->size > end);
}

/*
 * A top-up the pool cannot pay for: the host blocks around the range must
 * split, and the pool has too few pages for their tables. The pages being
 * donated pay instead (as pKVM's host feeds its memcache), but only those
 * the host can no longer reach: each edge block is first broken whole (an
 * invalid entry and a TLB invalidation, which needs no table), so the host
 * cannot write its pages while they are filled as tables; those of the
 * range go to the pool, the rest of each block is mapped again as it was
 * (from the pool), and the transition then runs with nothing left to split.
 * The tables rebuilt are the ones the split would have made, so the count
 * the transition reported is what they take. On success [*lo, *hi) are the
 * range's pages still to be given to the pool.
 */
static pvm_status_t topup_self(struct xfer *x, uint64_t a, uint64_t n, uint64_t *lo, uint64_t *hi,
			       size_t *need)
{
	struct pvm_hyp *hyp = x->hyp;
	uint64_t end = a + pages_to_bytes(n), fed;
	struct pvm_stage2_mapping e[2];
	unsigned ne = 0;
	pvm_status_t ret;

	*lo = a;
	*hi = end;
	if (edge_block(hyp, a, a, end, &e[ne])) {
		*lo = e[ne].base + e[ne].size < end ? e[ne].base + e[ne].size : end;
		*hi = *lo > *hi ? *lo : *hi;
		ne++;
	}
	if (*lo < end && edge_block(hyp, end - PVM_PAGE_SIZE, a, end, &e[ne])) {
		*hi = e[ne].base > *lo ? e[ne].base : *lo;
		ne++;
	}
	fed = ((*lo - a) + (end - *hi)) >> PVM_PAGE_SHIFT;
	if (fed + pvm_pool_free_pages(&hyp->pool) < x->pages)
		return PVM_E_NOMEM; /* *need already says what the pool lacks */

	/*
	 * From here on nothing may fail: breaking a whole block takes no table,
	 * the pages fed are whole and aligned, and the pool now holds what
	 * mapping the rest of each block again takes.
	 */
	for (unsigned i = 0; i < ne; i++)
		PVM_CHECK_OK(
			pvm_stage2_annotate(&hyp->host, pvm_ipa(e[i].base), e[i].size, 0, NULL));
	if (*lo > a)
		PVM_CHECK_OK(pvm_pool_donate(&hyp->pool, pvm_pa(a),
					     (size_t)((*lo - a) >> PVM_PAGE_SHIFT)));
	if (end > *hi)
		PVM_CHECK_OK(pvm_pool_donate(&hyp->pool, pvm_pa(*hi),
					     (size_t)((end - *hi) >> PVM_PAGE_SHIFT)));
	for (unsigned i = 0; i < ne; i++) {
		uint64_t b = e[i].base, t = e[i].base + e[i].size;

		if (b < a)
			PVM_CHECK_OK(pvm_stage2_map(&hyp->host, pvm_ipa(b), pvm_pa(b), a - b,
						    e[i].prot, 0, NULL));
		if (t > end)
			PVM_CHECK_OK(pvm_stage2_map(&hyp->host, pvm_ipa(end), pvm_pa(end), t - end,
						    e[i].prot, 0, NULL));
	}
	if (need)
		*need = 0;
	ret = run_xfer(x, a, n, need);
	return ret;
}

pvm_status_t pvm_mem_topup(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t npages, size_t *need)
{
	struct xfer x = {.hyp = hyp,
			 .id = PVM_ID_HYP,
			 .rule = rule_host_owned_unlent,
			 .apply = apply_to_owner};
	uint64_t a = pvm_pa_val(pa), lo = a, hi = a + pages_to_bytes(npages);
	pvm_status_t ret;

	if (need)
		*need = 0;
	ret = check_pages(hyp, pa, npages);
	if (ret)
		return ret;
	pvm_port_lock(&hyp->lock);
	ret = run_xfer(&x, a, npages, need);
	if (ret == PVM_E_NOMEM)
		ret = topup_self(&x, a, npages, &lo, &hi, need);
	if (!ret) {
		mem_mark_inuse_locked(hyp, a, npages);
		if (hi > lo)
			PVM_CHECK_OK(pvm_pool_donate(&hyp->pool, pvm_pa(lo),
						     (size_t)((hi - lo) >> PVM_PAGE_SHIFT)));
	}
	pvm_port_unlock(&hyp->lock);
	return ret;
}

uint64_t pvm_mem_reclaim_pool(struct pvm_hyp *hyp, uint64_t max)
{
	uint64_t done = 0;

	pvm_port_lock(&hyp->lock);
	while (done < max) {
		pvm_paddr_t pa;

		if (pvm_pool_alloc(&hyp->pool, &pa))
			break;
		/* Carve-out pages never leave; pages that would cost tables stay too. */
		if (mem_donate_host_locked(hyp, pvm_pa_val(pa), 1)) {
			pvm_pool_free(&hyp->pool, pa);
			break;
		}
		done++;
	}
	pvm_port_unlock(&hyp->lock);
	return done;
}

/* ---- Reading the host's own memory -------------------------------------- */

pvm_status_t mem_host_read(struct pvm_hyp *hyp, pvm_paddr_t pa, void *buf, size_t len)
{
	uint64_t a = pvm_pa_val(pa), page = a & ~(PVM_PAGE_SIZE - 1);
	pvm_status_t ret;

	if (!buf || !len || len > PVM_PAGE_SIZE - (a - page))
		return PVM_E_INVAL;
	ret = check_pages(hyp, pvm_pa(page), 1);
	if (ret)
		return ret;
	/*
	 * Only a page the host owns: never the hypervisor's or a guest's. The
	 * host may write it meanwhile; the caller uses only this copy.
	 */
	pvm_port_lock(&hyp->lock);
	if (page_at(hyp, page)->owner == PVM_ID_HOST)
		memcpy(buf, pvm_port_phys_to_virt(pa), len);
	else
		ret = PVM_E_PERM;
	pvm_port_unlock(&hyp->lock);
	return ret;
}

/* ---- Host <-> guest ------------------------------------------------------ */

/*
 * Host pages into a guest at an IPA (share or donate): the VM must be of
 * the right kind, the host side is revoked or restated first, then the
 * guest's mapping appears.
 */
static pvm_status_t host_to_guest(struct pvm_hyp *hyp, unsigned vm, pvm_paddr_t pa, pvm_ipa_t ipa,
				  uint64_t npages, struct xfer *x, bool protected_vm,
				  pvm_prot_t prot, size_t *need)
{
	struct s2_page g;
	pvm_status_t ret;

	ret = check_pages(hyp, pa, npages);
	if (ret)
		return ret;
	pvm_port_lock(&hyp->lock);
	ret = vm_find_active(hyp, vm, &x->vm);
	if (!ret && x->vm->protected_vm != protected_vm)
		ret = PVM_E_PERM;
	if (!ret)
		ret = check_ipa(x->vm, ipa, npages);
	if (!ret) {
		pvm_port_lock(&x->vm->lock);
		x->hyp = hyp;
		x->id = PVM_ID_GUEST(vm);
		x->to_guest = true;
		x->guest = (struct chg){.s2 = &x->vm->s2,
					.kind = CHG_MAP,
					.ipa = pvm_ipa_val(ipa),
					.pa = pvm_pa_val(pa),
					.npages = npages,
					.prot = prot};
		if (npages > 1 || !s2_page_find(&g, x->guest.s2, x->guest.ipa) ||
		    !page_xfer(x, &g, x->guest.pa, &ret))
			ret = run_xfer(x, pvm_pa_val(pa), npages, need);
		if (!ret)
			x->vm->pages += npages;
		/* Zeroed pages before sealing are in the RIM as "unknown contents". */
		if (!ret && x->wipe)
			attest_vm_donated_locked(x->vm, pvm_ipa_val(ipa), pages_to_bytes(npages));
		pvm_port_unlock(&x->vm->lock);
	}
	pvm_port_unlock(&hyp->lock);
	return ret;
}

pvm_status_t pvm_host_share_guest(struct pvm_hyp *hyp, unsigned vm, pvm_paddr_t pa, pvm_ipa_t ipa,
				  uint64_t npages, pvm_prot_t prot, size_t *need)
{
	struct xfer x = {.rule = rule_share_guest, .apply = apply_share_guest};

	if (need)
		*need = 0;
	if (prot & ~PVM_PROT_RWX)
		return PVM_E_INVAL;
	return host_to_guest(hyp, vm, pa, ipa, npages, &x, false,
			     prot | PVM_PROT_SW(PVM_PAGE_SHARED_BORROWED), need);
}

pvm_status_t mem_host_donate_guest(struct pvm_hyp *hyp, unsigned vm, pvm_paddr_t pa, pvm_ipa_t ipa,
				   uint64_t npages, bool keep, size_t *need)
{
	struct xfer x = {.rule = rule_host_owned_unlent, .apply = apply_to_owner, .wipe = !keep};

	if (need)
		*need = 0;
	/* The host loses the pages (and its TLB entries) before the guest gets them. */
	return host_to_guest(hyp, vm, pa, ipa, npages, &x, true,
			     PVM_PROT_RWX | PVM_PROT_SW(PVM_PAGE_OWNED), need);
}

pvm_status_t pvm_host_donate_guest(struct pvm_hyp *hyp, unsigned vm, pvm_paddr_t pa, pvm_ipa_t ipa,
				   uint64_t npages, size_t *need)
{
	/*
	 * Only a measured load (attest/measure.c) may give a protected guest
	 * the host's bytes: anything else the guest could run or read unseen
	 * (docs/attestation.md §1.1).
	 */
	return mem_host_donate_guest(hyp, vm, pa, ipa, npages, false, need);
}

/* Transitions that start from the guest's IPAs. */
static pvm_status_t guest_xfer(struct pvm_hyp *hyp, unsigned vm, pvm_ipa_t ipa, uint64_t npages,
			       struct xfer *x, size_t *need, bool protected_vm)
{
	pvm_status_t ret;

	if (need)
		*need = 0;
	if (!hyp || npages == 0 || npages >> (64 - PVM_PAGE_SHIFT))
		return PVM_E_INVAL;
	pvm_port_lock(&hyp->lock);
	ret = vm_find_active(hyp, vm, &x->vm);
	if (!ret && x->vm->protected_vm != protected_vm)
		ret = PVM_E_PERM;
	if (!ret)
		ret = check_ipa(x->vm, ipa, npages);
	if (!ret) {
		pvm_port_lock(&x->vm->lock);
		x->hyp = hyp;
		x->id = PVM_ID_GUEST(vm);
		x->guest.s2 = &x->vm->s2;
		x->guest.ipa = pvm_ipa_val(ipa);
		x->guest.npages = npages;
		if (npages > 1 || !guest_page(x, pvm_ipa_val(ipa), &ret))
			ret = run_guest_xfer(x, pvm_ipa_val(ipa), npages, need);
		/* Unmapping calls take pages out of the VM: count them under its lock. */
		if (!ret && x->guest.kind == CHG_ANNOTATE)
			x->vm->pages -= npages;
		pvm_port_unlock(&x->vm->lock);
	}
	pvm_port_unlock(&hyp->lock);
	return ret;
}

pvm_status_t pvm_host_unshare_guest(struct pvm_hyp *hyp, unsigned vm, pvm_ipa_t ipa,
				    uint64_t npages, size_t *need)
{
	struct xfer x = {.rule = rule_unshare_guest,
			 .apply = apply_unshare_guest,
			 .guest_first = true,
			 .guest = {.kind = CHG_ANNOTATE, .owner = 0}};
	return guest_xfer(hyp, vm, ipa, npages, &x, need, false);
}

pvm_status_t pvm_guest_share_host(struct pvm_hyp *hyp, unsigned vm, pvm_ipa_t ipa, uint64_t npages,
				  size_t *need)
{
	struct xfer x = {.rule = rule_guest_share_host,
			 .apply = apply_guest_share_host,
			 .guest = {.kind = CHG_PROTECT,
				   .prot = PVM_PROT_RWX | PVM_PROT_SW(PVM_PAGE_SHARED_OWNED)}};

	return guest_xfer(hyp, vm, ipa, npages, &x, need, true);
}

pvm_status_t pvm_guest_unshare_host(struct pvm_hyp *hyp, unsigned vm, pvm_ipa_t ipa,
				    uint64_t npages, size_t *need)
{
	struct xfer x = {
		.rule = rule_guest_unshare_host,
		.apply = apply_guest_unshare_host,
		.guest = {.kind = CHG_PROTECT, .prot = PVM_PROT_RWX | PVM_PROT_SW(PVM_PAGE_OWNED)}};

	return guest_xfer(hyp, vm, ipa, npages, &x, need, true);
}

pvm_status_t pvm_guest_relinquish_host(struct pvm_hyp *hyp, unsigned vm, pvm_ipa_t ipa,
				       uint64_t npages, size_t *need)
{
	struct xfer x = {.rule = rule_guest_owned_unlent,
			 .apply = apply_to_host,
			 .guest_first = true,
			 .scrub = true,
			 .guest = {.kind = CHG_ANNOTATE, .owner = 0}};
	return guest_xfer(hyp, vm, ipa, npages, &x, need, true);
}

/* ---- Set-up and queries ---------------------------------------------------- */

/* Pages of the hypervisor object, at the start of the carve-out. */
#define HYP_PAGES ((sizeof(struct pvm_hyp) + PVM_PAGE_SIZE - 1) / PVM_PAGE_SIZE)

uint64_t pvm_hyp_carveout_pages(uint64_t ram_size, unsigned pa_bits)
{
	uint64_t root_pages = pvm_stage2_root_pages(pa_bits);

	if (!ram_size || (ram_size & (PVM_PAGE_SIZE - 1)) || !root_pages)
		return 0;
	/* The root is aligned to its size: up to root_pages - 1 pages are skipped. */
	return HYP_PAGES + meta_pages(ram_size / PVM_PAGE_SIZE) + 2 * root_pages - 1;
}

pvm_status_t pvm_hyp_init(const struct pvm_hyp_config *cfg, struct pvm_hyp **out, size_t *need)
{
	struct pvm_stage2_config hc;
	struct pvm_hyp *hyp;
	uint64_t npages, meta, root_pages, root, hyp_end, ram_end, p;
	pvm_status_t ret;

	if (need)
		*need = 0;
	if (out)
		*out = NULL;
	if (!out || !cfg)
		return PVM_E_INVAL;
	if (((cfg->ram_base | cfg->ram_size | cfg->hyp_base | cfg->hyp_size) &
	     (PVM_PAGE_SIZE - 1)) ||
	    !cfg->ram_size || !cfg->hyp_size)
		return PVM_E_INVAL;
	ram_end = cfg->ram_base + cfg->ram_size;
	hyp_end = cfg->hyp_base + cfg->hyp_size;
	if (ram_end < cfg->ram_base || hyp_end < cfg->hyp_base || cfg->hyp_base < cfg->ram_base ||
	    hyp_end > ram_end || cfg->pa_bits > 48 || cfg->pa_bits < 32 ||
	    (ram_end - 1) >> cfg->pa_bits)
		return PVM_E_INVAL;
	root_pages = pvm_stage2_root_pages(cfg->pa_bits);
	npages = cfg->ram_size / PVM_PAGE_SIZE;
	/* The object, the metadata, the (aligned) root; the rest of the carve-out feeds the pool.
	 */
	meta = cfg->hyp_base + pages_to_bytes(HYP_PAGES);
	root = (meta + pages_to_bytes(meta_pages(npages)) + pages_to_bytes(root_pages) - 1) &
	       ~(pages_to_bytes(root_pages) - 1);
	if (!root_pages || root + pages_to_bytes(root_pages) > hyp_end)
		return PVM_E_INVAL;

	hyp = pvm_port_phys_to_virt(pvm_pa(cfg->hyp_base));
	memset(hyp, 0, sizeof(*hyp));
	hyp->base = cfg->ram_base;
	hyp->npages = npages;
	hyp->meta = pvm_port_phys_to_virt(pvm_pa(meta));
	pvm_pool_init(&hyp->pool);
	hc = (struct pvm_stage2_config){
		.ipa_bits = cfg->pa_bits, .pa_bits = cfg->pa_bits, .vmid = 0};
	ret = pvm_stage2_init(&hyp->host, &hc, pvm_pa(root), &hyp->pool);
	if (ret)
		return ret;
	for (p = meta + pages_to_bytes(meta_pages(npages)); p < hyp_end; p += PVM_PAGE_SIZE)
		if (p < root || p >= root + pages_to_bytes(root_pages))
			PVM_CHECK_OK(pvm_pool_donate(&hyp->pool, pvm_pa(p), 1));

	memset(hyp->meta, 0, (size_t)pages_to_bytes(meta_pages(npages)));
	for (p = cfg->hyp_base; p < hyp_end; p += PVM_PAGE_SIZE) {
		page_at(hyp, p)->owner = PVM_ID_HYP;
		page_at(hyp, p)->flags = PVM_PAGE_F_CARVEOUT;
	}

	/* The host's identity map: everything but the carve-out, blocks where possible. */
	const pvm_prot_t host = PVM_PROT_RWX | PVM_PROT_SW(PVM_PAGE_OWNED);
	size_t n1 = 0, n2 = 0, n3 = 0;

	if (cfg->hyp_base > cfg->ram_base)
		ret = pvm_stage2_map(&hyp->host, pvm_ipa(cfg->ram_base), pvm_pa(cfg->ram_base),
				     cfg->hyp_base - cfg->ram_base, host, 0, &n1);
	if (!ret && ram_end > hyp_end)
		ret = pvm_stage2_map(&hyp->host, pvm_ipa(hyp_end), pvm_pa(hyp_end),
				     ram_end - hyp_end, host, 0, &n2);
	if (!ret)
		ret = pvm_stage2_annotate(&hyp->host, pvm_ipa(cfg->hyp_base), cfg->hyp_size,
					  PVM_ID_HYP, &n3);
	if (ret == PVM_E_NOMEM && need)
		*need = n1 + n2 + n3;
	if (!ret) {
		pvm_port_host_access(pvm_pa(cfg->ram_base), cfg->ram_size, PVM_PROT_RWX);
		pvm_port_host_access(pvm_pa(cfg->hyp_base), cfg->hyp_size, 0);
		*out = hyp;
	}
	return ret;
}

pvm_status_t pvm_mem_host_fault(struct pvm_hyp *hyp, pvm_paddr_t pa, pvm_prot_t access)
{
	struct pvm_stage2_mapping m;
	pvm_status_t ret;

	if (!hyp || (access != PVM_PROT_R && access != PVM_PROT_W && access != PVM_PROT_X))
		return PVM_E_INVAL;
	pvm_port_lock(&hyp->lock);
	ret = pvm_stage2_lookup(&hyp->host, pvm_ipa(pvm_pa_val(pa)), &m);
	pvm_port_unlock(&hyp->lock);
	if (ret == PVM_E_NOENT)
		return PVM_E_PERM; /* unmapped: another component's page */
	if (ret)
		return ret;
	/* Device memory is never executable (stage2.h). */
	if (!(m.prot & access) || (access == PVM_PROT_X && (m.prot & PVM_PROT_DEVICE)))
		return PVM_E_PERM;
	return ret;
}

pvm_status_t pvm_mem_page(struct pvm_hyp *hyp, pvm_paddr_t pa, struct pvm_page_info *info)
{
	const struct pvm_page *p;

	if (!hyp || !info)
		return PVM_E_INVAL;
	if (check_pages(hyp, pvm_pa(pvm_pa_val(pa) & ~(PVM_PAGE_SIZE - 1)), 1))
		return PVM_E_RANGE;
	pvm_port_lock(&hyp->lock);
	p = page_at(hyp, pvm_pa_val(pa));
	info->owner = p->owner;
	info->state = owner_state(p);
	info->hyp_borrows = p->flags & PVM_PAGE_F_HYP_BORROWS;
	info->host_borrows = p->flags & PVM_PAGE_F_HOST_BORROWS;
	info->guests = p->guests;
	info->pins = p->pins;
	pvm_port_unlock(&hyp->lock);
	return PVM_OK;
}

/* ---- The host's devices ---------------------------------------------------- */

pvm_status_t pvm_mem_host_mmio_map(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t size, size_t *need)
{
	uint64_t a = pvm_pa_val(pa), ram_end;
	pvm_status_t ret;

	if (need)
		*need = 0;
	if (!hyp || !size || ((a | size) & (PVM_PAGE_SIZE - 1)))
		return PVM_E_INVAL;
	if (a + size < a || a + size > hyp->host.ipa_limit)
		return PVM_E_RANGE;
	ram_end = hyp->base + pages_to_bytes(hyp->npages);
	if (a < ram_end && a + size > hyp->base)
		return PVM_E_PERM;
	pvm_port_lock(&hyp->lock);
	if (hyp->nmmio == PVM_HOST_MMIO_MAX) {
		ret = PVM_E_BUSY;
	} else {
		ret = pvm_stage2_map(&hyp->host, pvm_ipa(a), pa, size,
				     PVM_PROT_RW | PVM_PROT_DEVICE, 0, need);
		if (!ret) {
			hyp->mmio[hyp->nmmio][0] = a;
			hyp->mmio[hyp->nmmio][1] = a + size;
			hyp->nmmio++;
		}
	}
	pvm_port_unlock(&hyp->lock);
	return ret;
}

uint64_t pvm_mem_host_vtcr(const struct pvm_hyp *hyp)
{
	return pvm_stage2_vtcr(&hyp->host);
}

uint64_t pvm_mem_host_vttbr(const struct pvm_hyp *hyp)
{
	return pvm_stage2_vttbr(&hyp->host);
}
