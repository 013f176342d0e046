/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stage-2 translation tables, VMSAv8-64, 4 KiB granule.
 *
 * Everything here is built on one walker (walk_table()) that visits the
 * entries covering a range and calls a visitor for leaves (pages, blocks,
 * invalid entries) and for table entries before and after descending. Each
 * operation is two walks: a read-only *check* walk that validates the whole
 * range and counts the table pages the change will need, then, only if that
 * succeeded and the pool holds enough pages, a *commit* walk that cannot
 * fail. That is how a failing call changes nothing.
 *
 * The walker also keeps, in IGNORED bits of every table descriptor (7:2
 * and 58:55: neither FEAT_LPA2, which takes bits 9:8 for the table's
 * address bits 51:50, nor FEAT_HAFT, which takes bit 10, uses them), the
 * number of non-zero entries in the table it points to, so an unmap can
 * free a table the moment it becomes empty without scanning 512 entries.
 */
#include <libpvm/port.h>
#include <libpvm/stage2.h>

#include "check.h"
#include "stage2_internal.h"

#include <string.h>

/* Descriptor bits (ARM ARM D8.3, stage 2). */
#define D_VALID		 (1ull << 0)
#define D_TYPE		 (1ull << 1) /* table at levels 0-2, page at level 3 */
#define D_MEMATTR_MASK	 (0xfull << 2)
#define D_MEMATTR_NORMAL (0xfull << 2) /* Outer WB, Inner WB */
#define D_MEMATTR_DEVICE (0x1ull << 2) /* Device-nGnRE */
#define D_S2AP_R	 (1ull << 6)
#define D_S2AP_W	 (1ull << 7)
#define D_SH_IS		 (3ull << 8)
#define D_AF		 (1ull << 10)
#define D_XN_SHIFT	 53
#define D_XN_NONE	 (2ull << D_XN_SHIFT) /* XN[1:0] = 0b10: no execution at EL1 or EL0 */
#define D_XN_MASK	 (3ull << D_XN_SHIFT)
#define D_SW_SHIFT	 55
#define D_SW_MASK	 (0xfull << D_SW_SHIFT)
#define D_OA_MASK	 0x0000fffffffff000ull /* bits 47:12 */
#define D_PERM_MASK	 (D_S2AP_R | D_S2AP_W | D_XN_MASK | D_SW_MASK)
/* Table descriptors: live-entry count (0..512), bits 5:0 in bits 7:2, bits 9:6 in 58:55. */
#define D_COUNT_LO_SHIFT 2
#define D_COUNT_LO_MASK	 (0x3full << D_COUNT_LO_SHIFT)
#define D_COUNT_HI_SHIFT 55
#define D_COUNT_HI_MASK	 (0xfull << D_COUNT_HI_SHIFT)
#define D_COUNT_MASK	 (D_COUNT_LO_MASK | D_COUNT_HI_MASK)
/* Invalid descriptors: owner annotation in bits 9:2 (bit 0 clear). */
#define D_OWNER_SHIFT 2
#define D_OWNER_MASK  (0xffull << D_OWNER_SHIFT)

#define LAST_LEVEL 3u

/*
 * Past this many per-IPA invalidations an operation invalidates the whole
 * VMID once instead: a TLBI broadcast costs far more than refilling the
 * TLB of a VM whose mappings are being torn up anyway (pKVM does the same).
 */
#define TLBI_IPA_MAX 32u

/* Walker return value from a TABLE_PRE visit: do not descend. */
#define WALK_SKIP 1

static inline unsigned level_shift(unsigned level)
{
	return PVM_PAGE_SHIFT + 9 * (LAST_LEVEL - level);
}

static inline uint64_t level_size(unsigned level)
{
	return 1ull << level_shift(level);
}

static inline bool is_valid(uint64_t d)
{
	return d & D_VALID;
}

static inline bool is_table(uint64_t d, unsigned level)
{
	return level < LAST_LEVEL && (d & (D_VALID | D_TYPE)) == (D_VALID | D_TYPE);
}

static inline uint64_t *table_va(uint64_t d)
{
	return pvm_port_phys_to_virt(pvm_pa(d & D_OA_MASK));
}

static inline unsigned table_count(uint64_t d)
{
	return (unsigned)((d & D_COUNT_LO_MASK) >> D_COUNT_LO_SHIFT) |
	       (unsigned)((d & D_COUNT_HI_MASK) >> D_COUNT_HI_SHIFT) << 6;
}

static inline uint64_t count_bits(unsigned count)
{
	return ((uint64_t)(count & 0x3f) << D_COUNT_LO_SHIFT) |
	       ((uint64_t)(count >> 6 & 0xf) << D_COUNT_HI_SHIFT);
}

static inline uint64_t table_desc(uint64_t pa, unsigned count)
{
	return pa | count_bits(count) | D_TYPE | D_VALID;
}

static inline uint64_t rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Single-copy-atomic store: the hardware walker may read the entry concurrently. */
static inline void wr(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* Publishing a new table: its contents must be visible before the pointer to it. */
static inline void wr_release(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* ---- The last-table cache --------------------------------------------- */

/* The 2 MiB block of IPA space one last-level table covers. */
static inline uint64_t table_block(uint64_t ipa)
{
	return ipa >> level_shift(LAST_LEVEL - 1);
}

/*
 * The last-level table the previous single-table commit used, if it covers
 * ipa. Single-page operations come in runs over neighbouring pages (a guest
 * faulting page after page, a transition loop), and the descent to the
 * table is most of what they cost. Only commits fill the cache, so a call
 * that fails leaves the regime exactly as it was; freeing any table of the
 * regime empties it (drop_cached()).
 */
enum {
	CACHE_BLOCK,  /* 2 MiB block of the cached last-level table, plus 1; 0: none */
	CACHE_TABLE,  /* that table (hypervisor VA) */
	CACHE_PARENT, /* the table entry pointing at it (hypervisor VA) */
	CACHE_WORDS
};
_Static_assert(CACHE_WORDS <= sizeof(((struct pvm_stage2 *)0)->cache.opaque) / sizeof(uint64_t),
	       "struct pvm_stage2's cache storage holds the cache");

static inline uint64_t *cached_table(const struct pvm_stage2 *s2, uint64_t ipa, uint64_t **parent)
{
	if (s2->cache.opaque[CACHE_BLOCK] != table_block(ipa) + 1)
		return NULL;
	*parent = (uint64_t *)(uintptr_t)s2->cache.opaque[CACHE_PARENT];
	return (uint64_t *)(uintptr_t)s2->cache.opaque[CACHE_TABLE];
}

static inline void drop_cached(struct pvm_stage2 *s2)
{
	s2->cache.opaque[CACHE_BLOCK] = 0;
}

/*
 * The one descent to a single IPA, shared by lookups, the single-page path
 * and the fast path (the range walker, walk_table(), descends the same
 * tables for a range): from the cached last-level table if it covers ipa,
 * else from the root, to the entry that translates ipa, a leaf or invalid
 * entry at any level or a level-3 entry. *level is its level, *parent the
 * table entry above it (unchanged at the start level).
 */
static inline __attribute__((always_inline)) uint64_t *
descend(const struct pvm_stage2 *s2, uint64_t ipa, unsigned *level, uint64_t **parent)
{
	uint64_t *t = cached_table(s2, ipa, parent), mask;

	if (t) {
		*level = LAST_LEVEL;
		return &t[(ipa >> PVM_PAGE_SHIFT) & (PVM_S2_PTRS_PER_TABLE - 1)];
	}
	t = pvm_port_phys_to_virt(s2->root);
	mask = (uint64_t)s2->root_pages * PVM_S2_PTRS_PER_TABLE - 1;
	for (unsigned l = s2->start_level;; l++) {
		uint64_t *p = &t[(ipa >> level_shift(l)) & mask];
		uint64_t d = rd(p);

		if (!is_table(d, l)) {
			*level = l;
			return p;
		}
		*parent = p;
		t = table_va(d);
		mask = PVM_S2_PTRS_PER_TABLE - 1;
	}
}

/* ---- Geometry ---------------------------------------------------------- */

int pvm_stage2_start_level(unsigned ipa_bits)
{
	if (ipa_bits < PVM_S2_IPA_BITS_MIN || ipa_bits > PVM_S2_IPA_BITS_MAX)
		return -1;
	/*
	 * Use the fewest levels such that the root resolves at most 4 bits
	 * more than a single table (up to 16 concatenated pages), as
	 * VTCR_EL2.SL0 permits: levels = (ipa_bits - 8) / 9.
	 */
	return 4 - (int)((ipa_bits - 8) / 9);
}

unsigned pvm_stage2_root_pages(unsigned ipa_bits)
{
	int sl = pvm_stage2_start_level(ipa_bits);
	unsigned bits;

	if (sl < 0)
		return 0;
	bits = ipa_bits - level_shift((unsigned)sl);
	return bits > 9 ? 1u << (bits - 9) : 1u;
}

static int pa_bits_to_ps(unsigned pa_bits)
{
	switch (pa_bits) {
	case 32:
		return 0;
	case 36:
		return 1;
	case 40:
		return 2;
	case 42:
		return 3;
	case 44:
		return 4;
	case 48:
		return 5;
	}
	return -1;
}

pvm_status_t pvm_stage2_init(struct pvm_stage2 *s2, const struct pvm_stage2_config *cfg,
			     pvm_paddr_t root, struct pvm_pool *pool)
{
	unsigned npages;

	if (!s2 || !cfg || !pool)
		return PVM_E_INVAL;
	npages = pvm_stage2_root_pages(cfg->ipa_bits);
	if (!npages || pa_bits_to_ps(cfg->pa_bits) < 0 || cfg->ipa_bits > cfg->pa_bits)
		return PVM_E_INVAL;
	/* A concatenated root must be aligned to its whole size. */
	if (pvm_pa_val(root) & ((npages << PVM_PAGE_SHIFT) - 1))
		return PVM_E_INVAL;
	if (pvm_pa_val(root) >> cfg->pa_bits)
		return PVM_E_INVAL;

	memset(pvm_port_phys_to_virt(root), 0, (size_t)npages << PVM_PAGE_SHIFT);
	s2->root = root;
	s2->pool = pool;
	s2->ipa_bits = (uint8_t)cfg->ipa_bits;
	s2->pa_bits = (uint8_t)cfg->pa_bits;
	s2->ipa_limit = 1ull << cfg->ipa_bits;
	s2->start_level = (uint8_t)pvm_stage2_start_level(cfg->ipa_bits);
	s2->root_pages = (uint8_t)npages;
	s2->vmid = cfg->vmid;
	s2->table_pages = 0;
	drop_cached(s2);
	return PVM_OK;
}

uint64_t pvm_stage2_vtcr(const struct pvm_stage2 *s2)
{
	static const uint8_t sl0_of_level[3] = {2, 1, 0}; /* 4 KiB granule encoding */
	uint64_t v = 0;

	v |= (uint64_t)(64 - s2->ipa_bits);		   /* T0SZ */
	v |= (uint64_t)sl0_of_level[s2->start_level] << 6; /* SL0 */
	v |= 1ull << 8;					   /* IRGN0: WB RA WA */
	v |= 1ull << 10;				   /* ORGN0: WB RA WA */
	v |= 3ull << 12;				   /* SH0: inner shareable */
	v |= 0ull << 14;				   /* TG0: 4 KiB */
	v |= (uint64_t)pa_bits_to_ps(s2->pa_bits) << 16;   /* PS */
	v |= 1ull << 19;				   /* VS: 16-bit VMID */
	v |= 1ull << 31;				   /* RES1 */
	return v;
}

uint64_t pvm_stage2_vttbr(const struct pvm_stage2 *s2)
{
	return pvm_pa_val(s2->root) | ((uint64_t)s2->vmid << 48);
}

/* ---- Descriptors ------------------------------------------------------- */

/*
 * Device memory is never executable: a speculative instruction fetch must
 * not reach a device (the ARM ARM recommends XN for Device regions, and
 * pKVM maps MMIO that way).
 */
static inline bool device_exec(pvm_prot_t prot)
{
	return (prot & PVM_PROT_DEVICE) && (prot & PVM_PROT_X);
}

static inline bool desc_is_device(uint64_t d)
{
	return !(d & (0xcull << 2)); /* MemAttr[3:2] == 0b00 */
}

/* A valid entry with new permission bits: same output address and attributes. */
static inline uint64_t protected_desc(uint64_t old, uint64_t perms)
{
	return (old & ~D_PERM_MASK) | perms;
}

/*
 * Does replacing old by new need a TLBI? Only if old was valid (nothing
 * caches an invalid entry) and more than its software bits changed (the
 * walker ignores those, so no TLB holds them).
 */
static inline bool needs_tlbi(uint64_t old, uint64_t new)
{
	return is_valid(old) && ((old ^ new) & ~D_SW_MASK);
}

static uint64_t perm_bits(pvm_prot_t prot)
{
	uint64_t d = 0;

	if (prot & PVM_PROT_R)
		d |= D_S2AP_R;
	if (prot & PVM_PROT_W)
		d |= D_S2AP_W;
	if (!(prot & PVM_PROT_X))
		d |= D_XN_NONE;
	d |= (uint64_t)((prot & PVM_PROT_SW_MASK) >> PVM_PROT_SW_SHIFT) << D_SW_SHIFT;
	return d;
}

static uint64_t leaf_attrs(pvm_prot_t prot)
{
	uint64_t d = perm_bits(prot) | D_AF | D_SH_IS;

	d |= (prot & PVM_PROT_DEVICE) ? D_MEMATTR_DEVICE : D_MEMATTR_NORMAL;
	return d;
}

static inline uint64_t leaf_type(unsigned level)
{
	return level == LAST_LEVEL ? (D_TYPE | D_VALID) : D_VALID;
}

uint64_t pvm_stage2_encode_leaf(pvm_paddr_t pa, pvm_prot_t prot, unsigned level)
{
	uint64_t a = pvm_pa_val(pa);

	if (level < 1 || level > LAST_LEVEL || (a & (level_size(level) - 1)) || (a & ~D_OA_MASK))
		return 0;
	if ((prot & ~PVM_PROT_ALL) || device_exec(prot))
		return 0;
	return a | leaf_attrs(prot) | leaf_type(level);
}

pvm_prot_t pvm_stage2_decode_prot(uint64_t desc)
{
	pvm_prot_t p = 0;
	uint64_t xn = (desc & D_XN_MASK) >> D_XN_SHIFT;

	if (desc & D_S2AP_R)
		p |= PVM_PROT_R;
	if (desc & D_S2AP_W)
		p |= PVM_PROT_W;
	/* XN 0b00 and 0b11 both allow execution at EL1. */
	if (xn == 0 || xn == 3)
		p |= PVM_PROT_X;
	if (desc_is_device(desc))
		p |= PVM_PROT_DEVICE;
	p |= PVM_PROT_SW((desc & D_SW_MASK) >> D_SW_SHIFT);
	return p;
}

/* ---- The walker -------------------------------------------------------- */

struct visit {
	uint64_t *ptep;
	uint64_t old;  /* the entry when the visit started */
	uint64_t addr; /* part of the entry inside the walked range: [addr, end) */
	uint64_t end;
	uint64_t base; /* first IPA the whole entry covers */
	unsigned level;
	unsigned kind;
};

struct walk;
typedef int (*visitor_fn)(struct walk *w, const struct visit *v);
/*
 * A visitor for a run of n consecutive level-3 entries starting at ptep
 * (IPA addr). It adds the change in non-zero entries to *delta. Operations
 * whose level-3 work is a tight loop use it instead of one call per page.
 */
typedef int (*run_fn)(struct walk *w, uint64_t *ptep, uint64_t n, uint64_t addr, int *delta);

struct walk {
	struct pvm_stage2 *s2;
	visitor_fn fn;
	run_fn run; /* optional; replaces LEAF visits at level 3 */
	unsigned kinds;
	uint64_t start, end;
	void *arg;
};

static int walk_table(struct walk *w, uint64_t *tbl, unsigned level, uint64_t addr, uint64_t end,
		      uint64_t idx_mask, int *delta);

/* Fold a change in the number of non-zero entries of a table into its descriptor. */
static uint64_t add_count(uint64_t *ptep, int delta)
{
	uint64_t d = rd(ptep);
	unsigned count = (unsigned)((int)table_count(d) + delta);

	d = (d & ~D_COUNT_MASK) | count_bits(count);
	wr(ptep, d);
	return d;
}

static inline bool covers(const struct visit *v)
{
	return v->addr == v->base && v->end == v->base + level_size(v->level);
}

/*
 * Visit a table entry and the table under it. The PRE visitor may replace
 * the entry (an unmap dropping a whole subtree); the walk only descends if
 * the same table is still there.
 */
static int walk_subtable(struct walk *w, struct visit *v)
{
	int ret = 0, delta = 0;
	uint64_t d;

	if (w->kinds & PVM_S2_VISIT_TABLE_PRE) {
		v->kind = PVM_S2_VISIT_TABLE_PRE;
		ret = w->fn(w, v);
		if (ret == WALK_SKIP)
			return 0;
		if (ret)
			return ret;
	}
	d = rd(v->ptep);
	if (!is_table(d, v->level) || (d & D_OA_MASK) != (v->old & D_OA_MASK))
		return 0;

	ret = walk_table(w, table_va(d), v->level + 1, v->addr, v->end, PVM_S2_PTRS_PER_TABLE - 1,
			 &delta);
	if (delta)
		d = add_count(v->ptep, delta);
	if (!ret && (w->kinds & PVM_S2_VISIT_TABLE_POST)) {
		v->old = d;
		v->kind = PVM_S2_VISIT_TABLE_POST;
		ret = w->fn(w, v);
	}
	return ret;
}

/*
 * Walk the entries of one table that cover [addr, end). *delta receives the
 * change in the number of non-zero entries of this table, which the caller
 * folds into the count kept in the parent's descriptor.
 */
static int walk_table(struct walk *w, uint64_t *tbl, unsigned level, uint64_t addr, uint64_t end,
		      uint64_t idx_mask, int *delta)
{
	const unsigned shift = level_shift(level);
	const uint64_t size = 1ull << shift;
	uint64_t idx = (addr >> shift) & idx_mask;
	int ret = 0, d = 0;

	/* [addr, end) lies inside this table: at level 3 it is one run of pages. */
	if (level == LAST_LEVEL && w->run)
		return w->run(w, &tbl[idx], (end - addr) >> PVM_PAGE_SHIFT, addr, delta);

	while (addr < end) {
		struct visit v;
		uint64_t base = addr & ~(size - 1);
		uint64_t next = base + size < end ? base + size : end;

		v.ptep = &tbl[idx];
		v.old = rd(v.ptep);
		v.addr = addr;
		v.end = next;
		v.base = base;
		v.level = level;
		if (is_table(v.old, level)) {
			ret = walk_subtable(w, &v);
		} else if (w->kinds & PVM_S2_VISIT_LEAF) {
			uint64_t now;

			v.kind = PVM_S2_VISIT_LEAF;
			ret = w->fn(w, &v);
			now = rd(v.ptep);
			/* The visitor turned the leaf into a table: go down it. */
			if (!ret && is_table(now, level)) {
				uint64_t leaf = v.old;

				v.old = now;
				ret = walk_subtable(w, &v);
				v.old = leaf;
			}
		}
		d += (rd(v.ptep) != 0) - (v.old != 0);
		if (ret)
			break;
		addr = next;
		idx++;
	}
	*delta += d;
	return ret;
}

static int walk(struct walk *w)
{
	const struct pvm_stage2 *s2 = w->s2;
	uint64_t *root = pvm_port_phys_to_virt(s2->root);
	uint64_t mask = (uint64_t)s2->root_pages * PVM_S2_PTRS_PER_TABLE - 1;
	int delta = 0;

	return walk_table(w, root, s2->start_level, w->start, w->end, mask, &delta);
}

/* ---- Operations: shared machinery ------------------------------------- */

/* What an operation does: its visitors for the check and the commit. */
struct s2_kind {
	visitor_fn check, commit;
	run_fn check_run, commit_run;
	unsigned check_kinds, commit_kinds;
	bool frees; /* may empty a table, which the fast path cannot free */
};

static pvm_status_t check_range(const struct pvm_stage2 *s2, pvm_ipa_t ipa, uint64_t size)
{
	uint64_t a = pvm_ipa_val(ipa);

	if (!s2 || size == 0 || ((a | size) & (PVM_PAGE_SIZE - 1)))
		return PVM_E_INVAL;
	if (a >= s2->ipa_limit || size > s2->ipa_limit - a)
		return PVM_E_RANGE;
	return PVM_OK;
}

/* Field by field: the defer array is only read up to ndefer, and is large. */
static void op_init(struct s2_op *op, const struct s2_kind *kind, struct pvm_stage2 *s2,
		    pvm_ipa_t ipa, uint64_t size)
{
	op->s2 = s2;
	op->kind = kind;
	op->start = pvm_ipa_val(ipa);
	op->end = op->start + size;
	op->pa_off = op->target = op->perms = op->need = 0;
	op->flags = 0;
	op->tlbis = op->ndefer = 0;
	op->vmid_dirty = false;
}

static int op_walk(struct s2_op *op, visitor_fn fn, run_fn pages, unsigned kinds)
{
	struct walk w = {.s2 = op->s2,
			 .fn = fn,
			 .run = pages,
			 .kinds = kinds,
			 .start = op->start,
			 .end = op->end,
			 .arg = op};

	return walk(&w);
}

/* Remember the table of pte, the entry of start in a committed single-table change. */
static void remember_table(struct pvm_stage2 *s2, uint64_t start, uint64_t *pte, uint64_t *parent)
{
	s2->cache.opaque[CACHE_BLOCK] = table_block(start) + 1;
	s2->cache.opaque[CACHE_TABLE] =
		(uintptr_t)(pte - ((start >> PVM_PAGE_SHIFT) & (PVM_S2_PTRS_PER_TABLE - 1)));
	s2->cache.opaque[CACHE_PARENT] = (uintptr_t)parent;
}

/*
 * The fast path: a range inside one existing last-level table, which is
 * what a stage-2 fault maps and what most unmaps and permission changes
 * touch. It descends straight to that table and hands the run of entries
 * to the operation's run visitors, the same ones the walker uses. Returns
 * the first entry, and the table entry pointing at the table in *parent;
 * NULL when the range needs the general walk.
 */
static inline __attribute__((always_inline)) uint64_t *
last_table(const struct pvm_stage2 *s2, uint64_t start, uint64_t end, uint64_t **parent)
{
	unsigned level;
	uint64_t *p;

	if (table_block(start) != table_block(end - 1))
		return NULL;
	p = descend(s2, start, &level, parent);
	return level == LAST_LEVEL ? p : NULL;
}

static inline uint64_t op_pages(const struct s2_op *op)
{
	return (op->end - op->start) >> PVM_PAGE_SHIFT;
}

/*
 * Would clearing the run at pte leave its table empty? Then the table must
 * go too, which changes the level above: leave that to the general walk.
 */
static bool empties(uint64_t target, const uint64_t *pte, uint64_t n, uint64_t table)
{
	uint64_t live = 0;

	if (target)
		return false;
	for (uint64_t i = 0; i < n; i++)
		live += rd(&pte[i]) != 0;
	return live == table_count(table);
}

/* Take the fast path if the range allows it: op->pte, or NULL for the general walk. */
static void op_find(struct s2_op *op)
{
	op->pte = last_table(op->s2, op->start, op->end, &op->parent);
	if (op->pte && op->kind->frees && empties(op->target, op->pte, op_pages(op), *op->parent))
		op->pte = NULL;
}

/*
 * The check half. On the fast path a range inside one existing last-level
 * table needs no table pages, so checking its entries is all there is.
 */
static int op_check(struct s2_op *op)
{
	op_find(op);
	if (op->pte) {
		struct walk w = {.s2 = op->s2, .arg = op};
		int delta = 0;

		return op->kind->check_run(&w, op->pte, op_pages(op), op->start, &delta);
	}
	return op_walk(op, op->kind->check, op->kind->check_run, op->kind->check_kinds);
}

/* Enough pages in the pool for the commit walk? Otherwise report the shortfall. */
static pvm_status_t reserve(struct s2_op *op, size_t *need)
{
	size_t have = pvm_pool_free_pages(op->s2->pool);

	if (op->need > have) {
		if (need)
			*need = (size_t)(op->need - have);
		return PVM_E_NOMEM;
	}
	return PVM_OK;
}

static uint64_t *new_table(struct s2_op *op, uint64_t *pa)
{
	pvm_paddr_t p;

	/* The check walk reserved every page the commit takes. */
	PVM_CHECK_OK(pvm_pool_alloc(op->s2->pool, &p));
	op->s2->table_pages++;
	*pa = pvm_pa_val(p);
	return pvm_port_phys_to_virt(p);
}

static void free_subtree(struct pvm_stage2 *s2, uint64_t pa, unsigned level)
{
	if (level < LAST_LEVEL) {
		const uint64_t *t = pvm_port_phys_to_virt(pvm_pa(pa));

		for (unsigned i = 0; i < PVM_S2_PTRS_PER_TABLE; i++)
			if (is_table(t[i], level))
				free_subtree(s2, t[i] & D_OA_MASK, level + 1);
	}
	pvm_pool_free(s2->pool, pvm_pa(pa));
	s2->table_pages--;
}

/* Owe a VMID-wide invalidation, then free the subtrees that waited for it. */
static void flush_deferred(struct s2_op *op)
{
	if (op->vmid_dirty)
		pvm_port_tlbi_vmid(op->s2->vmid);
	op->vmid_dirty = false;
	for (unsigned i = 0; i < op->ndefer; i++)
		free_subtree(op->s2, op->defer[i] & D_OA_MASK, (unsigned)(op->defer[i] & 3));
	op->ndefer = 0;
}

/* A valid leaf at (addr, level) was changed or removed: make the TLB forget it. */
static void invalidate(struct s2_op *op, uint64_t addr, unsigned level)
{
	if (op->vmid_dirty)
		return;
	if (op->tlbis >= TLBI_IPA_MAX) {
		op->vmid_dirty = true;
		return;
	}
	op->tlbis++;
	pvm_port_tlbi_ipa(op->s2->vmid, pvm_ipa(addr), level);
}

void s2_commit(struct s2_op *op)
{
	if (op->pte) {
		struct walk w = {.s2 = op->s2, .arg = op};
		int delta = 0;

		op->kind->commit_run(&w, op->pte, op_pages(op), op->start, &delta);
		if (delta)
			add_count(op->parent, delta);
		remember_table(op->s2, op->start, op->pte, op->parent);
	} else {
		PVM_CHECK(op_walk(op, op->kind->commit, op->kind->commit_run,
				  op->kind->commit_kinds) == 0);
	}
	if (op->vmid_dirty || op->ndefer)
		flush_deferred(op);
}

/* Both halves, for the public operations. */
static pvm_status_t op_do(struct s2_op *op, size_t *need)
{
	pvm_status_t ret = op_check(op);

	if (!ret)
		ret = reserve(op, need);
	if (!ret)
		s2_commit(op);
	return ret;
}

/*
 * Tables needed to split the entry at [base, base + size(level)) so that
 * [x, y) becomes a set of whole entries. Entries outside keep what the
 * split copies into them; entries inside are replaced whole, so only the
 * (at most two) partly covered sub-entries split further.
 */
static uint64_t need_split(unsigned level, uint64_t base, uint64_t x, uint64_t y)
{
	uint64_t sub, first, last, n;

	if (x == base && y == base + level_size(level))
		return 0;
	sub = level_size(level + 1);
	first = x & ~(sub - 1);
	last = (y - 1) & ~(sub - 1);
	n = 1 + need_split(level + 1, first, x, y < first + sub ? y : first + sub);
	if (last != first)
		n += need_split(level + 1, last, last, y);
	return n;
}

static bool block_ok(const struct s2_op *op, unsigned level)
{
	if (level == LAST_LEVEL)
		return true;
	if (level == 0 || (op->flags & PVM_S2_MAP_PAGES))
		return false;
	return (op->pa_off & (level_size(level) - 1)) == 0;
}

/* Tables needed to map [x, y) inside the invalid entry at [base, base + size(level)). */
static uint64_t need_map(const struct s2_op *op, unsigned level, uint64_t base, uint64_t x,
			 uint64_t y)
{
	uint64_t sub, first, last, mid, n;

	if (x == base && y == base + level_size(level) && block_ok(op, level))
		return 0;
	sub = level_size(level + 1);
	first = x & ~(sub - 1);
	last = (y - 1) & ~(sub - 1);
	if (first == last)
		return 1 + need_map(op, level + 1, first, x, y);
	n = 1 + need_map(op, level + 1, first, x, first + sub) +
	    need_map(op, level + 1, last, last, y);
	mid = (last - first) / sub - 1;
	if (mid)
		n += mid * need_map(op, level + 1, first + sub, first + sub, first + 2 * sub);
	return n;
}

/*
 * Replace the leaf or invalid entry of v by a table of the next level
 * holding the same thing in 512 pieces: sub-blocks or pages of a valid
 * block, or copies of an invalid entry's annotation. A valid block is
 * broken first (break-before-make: the TLB must forget the block before a
 * table with the same translations appears).
 */
static void split(struct s2_op *op, const struct visit *v)
{
	const unsigned sub_level = v->level + 1;
	uint64_t pa, *t = new_table(op, &pa);
	unsigned count = 0;

	if (is_valid(v->old)) {
		uint64_t oa = v->old & D_OA_MASK & ~(level_size(v->level) - 1);
		uint64_t attrs = (v->old & ~(D_OA_MASK | D_VALID | D_TYPE)) | leaf_type(sub_level);
		uint64_t step = level_size(sub_level);

		for (unsigned i = 0; i < PVM_S2_PTRS_PER_TABLE; i++)
			t[i] = (oa + i * step) | attrs;
		count = PVM_S2_PTRS_PER_TABLE;
		wr(v->ptep, 0);
		pvm_port_tlbi_ipa(op->s2->vmid, pvm_ipa(v->base), v->level);
	} else if (v->old) {
		for (unsigned i = 0; i < PVM_S2_PTRS_PER_TABLE; i++)
			t[i] = v->old;
		count = PVM_S2_PTRS_PER_TABLE;
	}
	wr_release(v->ptep, table_desc(pa, count));
}

/* ---- map --------------------------------------------------------------- */

static int map_check(struct walk *w, const struct visit *v)
{
	struct s2_op *op = w->arg;

	if (is_valid(v->old))
		return PVM_E_EXISTS;
	op->need += need_map(op, v->level, v->base, v->addr, v->end);
	return 0;
}

static int map_check_run(struct walk *w, uint64_t *p, uint64_t n, uint64_t addr, int *delta)
{
	(void)w, (void)addr, (void)delta;
	for (uint64_t i = 0; i < n; i++)
		if (rd(&p[i]) & D_VALID)
			return PVM_E_EXISTS;
	return 0;
}

static int map_commit_run(struct walk *w, uint64_t *p, uint64_t n, uint64_t addr, int *delta)
{
	const struct s2_op *op = w->arg;
	uint64_t d = (addr + op->pa_off) | op->perms | D_TYPE | D_VALID;
	uint64_t was = 0;

	for (uint64_t i = 0; i < n; i++, d += PVM_PAGE_SIZE) {
		was += rd(&p[i]) != 0;
		wr(&p[i], d);
	}
	*delta += (int)(n - was);
	return 0;
}

static int map_commit(struct walk *w, const struct visit *v)
{
	struct s2_op *op = w->arg;

	if (covers(v) && block_ok(op, v->level)) {
		wr(v->ptep, (v->addr + op->pa_off) | op->perms | leaf_type(v->level));
		return 0;
	}
	/* Partly covered or no block allowed here: go one level down. */
	split(op, v);
	return 0;
}

static const struct s2_kind map_kind = {
	.check = map_check,
	.commit = map_commit,
	.check_run = map_check_run,
	.commit_run = map_commit_run,
	.check_kinds = PVM_S2_VISIT_LEAF,
	.commit_kinds = PVM_S2_VISIT_LEAF,
};

static pvm_status_t map_setup(struct s2_op *op, struct pvm_stage2 *s2, pvm_ipa_t ipa,
			      pvm_paddr_t pa, uint64_t size, pvm_prot_t prot, uint32_t flags)
{
	uint64_t p = pvm_pa_val(pa);
	int ret = check_range(s2, ipa, size);

	if (ret)
		return ret;
	if ((p & (PVM_PAGE_SIZE - 1)) || (prot & ~PVM_PROT_ALL) || (flags & ~PVM_S2_MAP_PAGES) ||
	    device_exec(prot))
		return PVM_E_INVAL;
	if ((p >> s2->pa_bits) || size > (1ull << s2->pa_bits) - p)
		return PVM_E_RANGE;
	op_init(op, &map_kind, s2, ipa, size);
	op->pa_off = p - pvm_ipa_val(ipa);
	op->perms = leaf_attrs(prot);
	op->flags = flags;
	return PVM_OK;
}

pvm_status_t s2_map_prepare(struct s2_op *op, struct pvm_stage2 *s2, pvm_ipa_t ipa, pvm_paddr_t pa,
			    uint64_t size, pvm_prot_t prot, uint32_t flags)
{
	pvm_status_t ret = map_setup(op, s2, ipa, pa, size, prot, flags);

	return ret ? ret : op_check(op);
}

pvm_status_t pvm_stage2_map_prepare(const struct pvm_stage2 *s2, pvm_ipa_t ipa, pvm_paddr_t pa,
				    uint64_t size, pvm_prot_t prot, uint32_t flags, size_t *pages)
{
	struct s2_op op;
	int ret;

	if (!pages)
		return PVM_E_INVAL;
	*pages = 0;
	ret = s2_map_prepare(&op, (struct pvm_stage2 *)s2, ipa, pa, size, prot, flags);
	if (!ret)
		*pages = (size_t)op.need;
	return ret;
}

/* Invalid entries become valid: a map has nothing to invalidate in the TLB. */
pvm_status_t pvm_stage2_map(struct pvm_stage2 *s2, pvm_ipa_t ipa, pvm_paddr_t pa, uint64_t size,
			    pvm_prot_t prot, uint32_t flags, size_t *need)
{
	struct s2_op op;
	pvm_status_t ret;

	if (need)
		*need = 0;
	ret = map_setup(&op, s2, ipa, pa, size, prot, flags);
	return ret ? ret : op_do(&op, need);
}

/* ---- unmap and annotate ------------------------------------------------ */

static int clear_check(struct walk *w, const struct visit *v)
{
	struct s2_op *op = w->arg;

	if (v->kind == PVM_S2_VISIT_TABLE_PRE)
		return covers(v) ? WALK_SKIP : 0;
	if (v->old != op->target)
		op->need += need_split(v->level, v->base, v->addr, v->end);
	return 0;
}

/*
 * Free the subtree at table_pa (a table of the given level) once the VMID
 * has been invalidated: until then a walk cache may still point into it.
 */
static void defer_free(struct s2_op *op, uint64_t table_pa, unsigned level)
{
	drop_cached(op->s2);
	if (op->ndefer == S2_DEFER_MAX)
		flush_deferred(op);
	op->vmid_dirty = true;
	op->defer[op->ndefer++] = table_pa | level;
}

/* Level-3 entries never need a table: nothing to check or count. */
static int clear_check_run(struct walk *w, uint64_t *p, uint64_t n, uint64_t addr, int *delta)
{
	(void)w, (void)p, (void)n, (void)addr, (void)delta;
	return 0;
}

static int clear_commit_run(struct walk *w, uint64_t *p, uint64_t n, uint64_t addr, int *delta)
{
	struct s2_op *op = w->arg;
	const uint64_t target = op->target;
	int d = 0;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t old = rd(&p[i]);

		if (old == target)
			continue;
		wr(&p[i], target);
		d += (target != 0) - (old != 0);
		if (needs_tlbi(old, target))
			invalidate(op, addr + (i << PVM_PAGE_SHIFT), LAST_LEVEL);
	}
	*delta += d;
	return 0;
}

/*
 * The table under *ptep (a table entry at level, covering base) is empty:
 * unhook it, make the walk caches forget it, and only then free it.
 */
static void free_empty(struct s2_op *op, uint64_t *ptep, uint64_t desc, uint64_t base,
		       unsigned level)
{
	drop_cached(op->s2);
	wr(ptep, 0);
	if (op->vmid_dirty || op->tlbis >= TLBI_IPA_MAX) {
		defer_free(op, desc & D_OA_MASK, level + 1);
		return;
	}
	op->tlbis++;
	/* A table, not a leaf: no level hint (the TTL names a leaf's level). */
	pvm_port_tlbi_ipa(op->s2->vmid, pvm_ipa(base), PVM_TLBI_LEVEL_ANY);
	pvm_pool_free(op->s2->pool, pvm_pa(desc & D_OA_MASK));
	op->s2->table_pages--;
}

static int clear_commit(struct walk *w, const struct visit *v)
{
	struct s2_op *op = w->arg;

	switch (v->kind) {
	case PVM_S2_VISIT_TABLE_PRE:
		/* A table wholly inside the range goes at once, whatever it holds. */
		if (!covers(v))
			return 0;
		wr(v->ptep, op->target);
		defer_free(op, v->old & D_OA_MASK, v->level + 1);
		return WALK_SKIP;
	case PVM_S2_VISIT_TABLE_POST:
		/* A table left with nothing in it is freed (only an unmap empties one). */
		if (table_count(v->old) == 0)
			free_empty(op, v->ptep, v->old, v->base, v->level);
		return 0;
	}
	if (v->old == op->target)
		return 0;
	if (!covers(v)) {
		split(op, v);
		return 0;
	}
	wr(v->ptep, op->target);
	if (is_valid(v->old))
		invalidate(op, v->base, v->level);
	return 0;
}

static const struct s2_kind clear_kind = {
	.check = clear_check,
	.commit = clear_commit,
	.check_run = clear_check_run,
	.commit_run = clear_commit_run,
	.check_kinds = PVM_S2_VISIT_LEAF | PVM_S2_VISIT_TABLE_PRE,
	.commit_kinds = PVM_S2_VISIT_LEAF | PVM_S2_VISIT_TABLE_PRE | PVM_S2_VISIT_TABLE_POST,
	.frees = true,
};

/* Owner 0 is an unmap. */
static pvm_status_t clear_setup(struct s2_op *op, struct pvm_stage2 *s2, pvm_ipa_t ipa,
				uint64_t size, unsigned owner)
{
	pvm_status_t ret = check_range(s2, ipa, size);

	if (ret)
		return ret;
	if (owner > PVM_S2_OWNER_MAX)
		return PVM_E_INVAL;
	op_init(op, &clear_kind, s2, ipa, size);
	op->target = (uint64_t)owner << D_OWNER_SHIFT;
	return PVM_OK;
}

static pvm_status_t clear_range(struct pvm_stage2 *s2, pvm_ipa_t ipa, uint64_t size, unsigned owner,
				size_t *need)
{
	struct s2_op op;
	pvm_status_t ret;

	if (need)
		*need = 0;
	ret = clear_setup(&op, s2, ipa, size, owner);
	if (ret)
		return ret;
	/*
	 * Only the entries at the two ends of the range can be partly covered,
	 * and each end splits at most one entry per level below the root. With
	 * that many pages in the pool there is nothing to check.
	 */
	if (pvm_pool_free_pages(s2->pool) < 2u * (LAST_LEVEL - s2->start_level))
		return op_do(&op, need);
	op_find(&op);
	s2_commit(&op);
	return PVM_OK;
}

pvm_status_t pvm_stage2_unmap(struct pvm_stage2 *s2, pvm_ipa_t ipa, uint64_t size, size_t *need)
{
	return clear_range(s2, ipa, size, 0, need);
}

pvm_status_t pvm_stage2_annotate(struct pvm_stage2 *s2, pvm_ipa_t ipa, uint64_t size,
				 unsigned owner, size_t *need)
{
	return clear_range(s2, ipa, size, owner, need);
}

pvm_status_t s2_annotate_prepare(struct s2_op *op, struct pvm_stage2 *s2, pvm_ipa_t ipa,
				 uint64_t size, unsigned owner)
{
	pvm_status_t ret = clear_setup(op, s2, ipa, size, owner);

	return ret ? ret : op_check(op);
}

/* A public dry run's answer: the check's status, and the pages the commit would take. */
static pvm_status_t dry_run(pvm_status_t ret, const struct s2_op *op, size_t *pages)
{
	*pages = ret ? 0 : (size_t)op->need;
	return ret;
}

pvm_status_t pvm_stage2_annotate_prepare(const struct pvm_stage2 *s2, pvm_ipa_t ipa, uint64_t size,
					 unsigned owner, size_t *pages)
{
	struct s2_op op;

	if (!pages)
		return PVM_E_INVAL;
	return dry_run(s2_annotate_prepare(&op, (struct pvm_stage2 *)s2, ipa, size, owner), &op,
		       pages);
}

void pvm_stage2_destroy(struct pvm_stage2 *s2)
{
	/* The whole space is covered, so no block is split: this cannot need pages. */
	PVM_CHECK_OK(pvm_stage2_unmap(s2, pvm_ipa(0), s2->ipa_limit, NULL));
}

/* ---- protect ----------------------------------------------------------- */

/* Executable permission asked for on a device mapping? */
static inline bool exec_on_device(uint64_t perms, uint64_t d)
{
	return !(perms & D_XN_MASK) && desc_is_device(d);
}

static int protect_check(struct walk *w, const struct visit *v)
{
	struct s2_op *op = w->arg;

	if (!is_valid(v->old))
		return PVM_E_NOENT;
	if (exec_on_device(op->perms, v->old))
		return PVM_E_INVAL;
	op->need += need_split(v->level, v->base, v->addr, v->end);
	return 0;
}

static int protect_check_run(struct walk *w, uint64_t *p, uint64_t n, uint64_t addr, int *delta)
{
	const struct s2_op *op = w->arg;

	(void)addr, (void)delta;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t d = rd(&p[i]);

		if (!(d & D_VALID))
			return PVM_E_NOENT;
		if (exec_on_device(op->perms, d))
			return PVM_E_INVAL;
	}
	return 0;
}

static int protect_commit_run(struct walk *w, uint64_t *p, uint64_t n, uint64_t addr, int *delta)
{
	struct s2_op *op = w->arg;

	(void)delta;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t old = rd(&p[i]), d = protected_desc(old, op->perms);

		if (d == old)
			continue;
		wr(&p[i], d);
		if (needs_tlbi(old, d))
			invalidate(op, addr + (i << PVM_PAGE_SHIFT), LAST_LEVEL);
	}
	return 0;
}

static int protect_commit(struct walk *w, const struct visit *v)
{
	struct s2_op *op = w->arg;
	uint64_t d;

	if (!covers(v)) {
		split(op, v);
		return 0;
	}
	d = protected_desc(v->old, op->perms);
	if (d == v->old)
		return 0;
	/* Only permissions change: the architecture allows this without a break. */
	wr(v->ptep, d);
	if (needs_tlbi(v->old, d))
		invalidate(op, v->base, v->level);
	return 0;
}

static const struct s2_kind protect_kind = {
	.check = protect_check,
	.commit = protect_commit,
	.check_run = protect_check_run,
	.commit_run = protect_commit_run,
	.check_kinds = PVM_S2_VISIT_LEAF,
	.commit_kinds = PVM_S2_VISIT_LEAF,
};

static pvm_status_t protect_setup(struct s2_op *op, struct pvm_stage2 *s2, pvm_ipa_t ipa,
				  uint64_t size, pvm_prot_t prot)
{
	int ret = check_range(s2, ipa, size);

	if (ret)
		return ret;
	if (prot & ~(PVM_PROT_RWX | PVM_PROT_SW_MASK))
		return PVM_E_INVAL;
	op_init(op, &protect_kind, s2, ipa, size);
	op->perms = perm_bits(prot);
	return PVM_OK;
}

pvm_status_t s2_protect_prepare(struct s2_op *op, struct pvm_stage2 *s2, pvm_ipa_t ipa,
				uint64_t size, pvm_prot_t prot)
{
	pvm_status_t ret = protect_setup(op, s2, ipa, size, prot);

	return ret ? ret : op_check(op);
}

pvm_status_t pvm_stage2_protect_prepare(const struct pvm_stage2 *s2, pvm_ipa_t ipa, uint64_t size,
					pvm_prot_t prot, size_t *pages)
{
	struct s2_op op;

	if (!pages)
		return PVM_E_INVAL;
	return dry_run(s2_protect_prepare(&op, (struct pvm_stage2 *)s2, ipa, size, prot), &op,
		       pages);
}

pvm_status_t pvm_stage2_protect(struct pvm_stage2 *s2, pvm_ipa_t ipa, uint64_t size,
				pvm_prot_t prot, size_t *need)
{
	struct s2_op op;
	pvm_status_t ret;

	if (need)
		*need = 0;
	ret = protect_setup(&op, s2, ipa, size, prot);
	return ret ? ret : op_do(&op, need);
}

/* ---- single pages --------------------------------------------------- */

bool s2_page_find(struct s2_page *pg, struct pvm_stage2 *s2, uint64_t ipa)
{
	pg->s2 = s2;
	pg->ipa = ipa;
	pg->pte = last_table(s2, ipa, ipa + PVM_PAGE_SIZE, &pg->parent);
	return pg->pte != NULL;
}

bool s2_page_pa(const struct s2_page *pg, uint64_t *pa)
{
	uint64_t d = rd(pg->pte);

	*pa = d & D_OA_MASK;
	return is_valid(d);
}

/* The checks of map_check_run(), clear_check_run() and protect_check_run() for one entry. */
bool s2_page_map_prepare(struct s2_page *pg, uint64_t pa, pvm_prot_t prot)
{
	pg->desc = pa | leaf_attrs(prot) | leaf_type(LAST_LEVEL);
	return !is_valid(rd(pg->pte));
}

bool s2_page_annotate_prepare(struct s2_page *pg, unsigned owner)
{
	pg->desc = (uint64_t)owner << D_OWNER_SHIFT;
	return !empties(pg->desc, pg->pte, 1, *pg->parent);
}

bool s2_page_protect_prepare(struct s2_page *pg, pvm_prot_t prot)
{
	uint64_t old = rd(pg->pte), perms = perm_bits(prot);

	pg->desc = protected_desc(old, perms);
	return is_valid(old) && !exec_on_device(perms, old);
}

/*
 * As the run visitors commit one entry. Its table stays (the prepare
 * refused an unmap that would empty it), and old -> new is never a change
 * of output address: an invalid entry becomes valid, a valid one becomes
 * invalid, or only permissions change, none of which needs a break first.
 */
void s2_page_commit(const struct s2_page *pg)
{
	uint64_t old = rd(pg->pte);

	if (old != pg->desc) {
		wr(pg->pte, pg->desc);
		if ((old != 0) != (pg->desc != 0))
			add_count(pg->parent, pg->desc ? 1 : -1);
		if (needs_tlbi(old, pg->desc))
			pvm_port_tlbi_ipa(pg->s2->vmid, pvm_ipa(pg->ipa), LAST_LEVEL);
	}
	remember_table(pg->s2, pg->ipa, pg->pte, pg->parent);
}

/* ---- lookup and the public walk --------------------------------------- */

/*
 * Lookup is the one read that does not go through the walker: it is on
 * every guest-IPA transition's path, one entry per level, and a visitor
 * call per level cost more than the descent itself.
 */
pvm_status_t pvm_stage2_lookup(const struct pvm_stage2 *s2, pvm_ipa_t ipa,
			       struct pvm_stage2_mapping *out)
{
	uint64_t *parent = NULL, *p;
	unsigned level;

	if (!s2 || !out)
		return PVM_E_INVAL;
	if (pvm_ipa_val(ipa) >= s2->ipa_limit)
		return PVM_E_RANGE;
	p = descend(s2, pvm_ipa_val(ipa), &level, &parent);
	return pvm_stage2_decode(rd(p), level, ipa, out);
}

pvm_status_t pvm_stage2_decode(uint64_t d, unsigned level, pvm_ipa_t ipa,
			       struct pvm_stage2_mapping *out)
{
	uint64_t a = pvm_ipa_val(ipa), size;

	if (!out || level > LAST_LEVEL)
		return PVM_E_INVAL;
	size = level_size(level);
	out->level = level;
	out->base = a & ~(size - 1);
	out->size = size;
	out->desc = d;
	out->valid = is_valid(d);
	if (out->valid) {
		out->pa = pvm_pa((d & D_OA_MASK & ~(size - 1)) + (a - out->base));
		out->prot = pvm_stage2_decode_prot(d);
		out->owner = 0;
		return PVM_OK;
	}
	out->pa = pvm_pa(0);
	out->prot = 0;
	out->owner = (unsigned)((d & D_OWNER_MASK) >> D_OWNER_SHIFT);
	return PVM_E_NOENT;
}

struct user_walk {
	pvm_stage2_visitor_fn fn;
	void *arg;
	int ret;
};

/* Any non-zero return of the user's visitor stops the walk and is handed back. */
#define USER_STOP (-0x7fff)

static int user_visit(struct walk *w, const struct visit *v)
{
	struct user_walk *u = w->arg;
	uint64_t entry_pa = pvm_pa_val(pvm_port_virt_to_phys(v->ptep));
	struct pvm_stage2_visit pv = {
		.desc = v->old,
		.addr = v->addr,
		.end = v->end,
		.base = v->base,
		.table = pvm_pa(entry_pa & ~(PVM_PAGE_SIZE - 1)),
		.level = v->level,
		.kind = v->kind,
	};

	u->ret = u->fn(&pv, u->arg);
	return u->ret ? USER_STOP : 0;
}

int pvm_stage2_walk(const struct pvm_stage2 *s2, pvm_ipa_t ipa, uint64_t size, unsigned kinds,
		    pvm_stage2_visitor_fn fn, void *arg)
{
	struct user_walk u = {.fn = fn, .arg = arg, .ret = 0};
	struct walk w;
	int ret;

	ret = check_range(s2, ipa, size);
	if (ret)
		return ret;
	if (!fn || !kinds ||
	    (kinds & ~(PVM_S2_VISIT_LEAF | PVM_S2_VISIT_TABLE_PRE | PVM_S2_VISIT_TABLE_POST)))
		return PVM_E_INVAL;
	w = (struct walk){.s2 = (struct pvm_stage2 *)s2,
			  .fn = user_visit,
			  .kinds = kinds,
			  .start = pvm_ipa_val(ipa),
			  .end = pvm_ipa_val(ipa) + size,
			  .arg = &u};
	return walk(&w) ? u.ret : PVM_OK;
}
