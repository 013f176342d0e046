/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The break-before-make checker.
 *
 * The architecture forbids replacing a valid descriptor by a valid one that
 * translates differently (output address, memory type, shareability, size,
 * table vs leaf, or another next-level table) unless the old one was made
 * invalid and its TLB entries invalidated in between: otherwise the TLB may
 * hold both, with TLB conflict aborts, loss of coherency or uniprocessor
 * semantics broken as the consequence. Permission, AF and software bits may
 * change in place.
 *
 * The checker keeps, for each watched regime, a shadow of every valid
 * descriptor it has observed, keyed by the descriptor's physical address.
 * The shadow stands for what a TLB may still hold. It learns in two ways:
 *
 * - At a TLB invalidation the descriptors covered by it are observed:
 *   whatever they are now is all the TLB can hold afterwards, so the shadow
 *   takes the current value (after reporting a valid-to-valid change that
 *   happened without an invalid step in between).
 * - At a checkpoint (pvm_sim_bbm_check(), after each core operation) every
 *   reachable descriptor is observed. A valid descriptor that has become
 *   invalid keeps its shadow: the old translation may still be cached
 *   until an invalidation observes the invalid value. So "break, make,
 *   TLBI" is caught as surely as "make over a valid entry".
 *
 * A table page that leaves a regime may come back as another table or as
 * data, so when an invalidation replaces the shadow of a table descriptor
 * the shadows of the old table's entries are dropped too.
 */
#include "sim_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Shadow map: open addressing with linear probing and backward-shift
 * deletion (no tombstones, so a long run of map/unmap does not degrade it).
 * Descriptor addresses are 8-byte aligned: the key keeps the descriptor's
 * level in bits 1:0 and a "used" mark in bit 2, so an empty slot is 0.
 */
#define KEY_USED       4ull
#define KEY_LEVEL_MASK 3ull
#define KEY_PA_MASK    (~7ull)
#define SHADOW_MIN_CAP 1024u

struct shadow_slot {
	uint64_t key;
	uint64_t desc;
};

struct shadow {
	struct shadow_slot *slot;
	size_t cap; /* a power of two, at least twice count */
	size_t count;
};

struct watched {
	struct sim_regime r;
	struct shadow sh;
};

static struct {
	struct watched *w;
	size_t n;
	size_t cap;
	char last[256];
} bbm;

static size_t home_of(const struct shadow *sh, uint64_t pa)
{
	uint64_t h = (pa >> 3) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h ^ (h >> 29)) & (sh->cap - 1);
}

static bool shadow_init(struct shadow *sh)
{
	sh->slot = calloc(SHADOW_MIN_CAP, sizeof(*sh->slot));
	sh->cap = SHADOW_MIN_CAP;
	sh->count = 0;
	return sh->slot != NULL;
}

static struct shadow_slot *shadow_find(const struct shadow *sh, uint64_t pa)
{
	size_t i = home_of(sh, pa);

	for (;;) {
		struct shadow_slot *s = &sh->slot[i];

		if (!s->key)
			return NULL;
		if ((s->key & KEY_PA_MASK) == pa)
			return s;
		i = (i + 1) & (sh->cap - 1);
	}
}

static void place(struct shadow *sh, uint64_t key, uint64_t desc)
{
	size_t i = home_of(sh, key & KEY_PA_MASK);

	while (sh->slot[i].key)
		i = (i + 1) & (sh->cap - 1);
	sh->slot[i].key = key;
	sh->slot[i].desc = desc;
}

static bool shadow_grow(struct shadow *sh)
{
	struct shadow_slot *old = sh->slot;
	size_t old_cap = sh->cap, i;

	sh->slot = calloc(old_cap * 2, sizeof(*sh->slot));
	if (!sh->slot) {
		sh->slot = old;
		return false;
	}
	sh->cap = old_cap * 2;
	for (i = 0; i < old_cap; i++) {
		if (old[i].key)
			place(sh, old[i].key, old[i].desc);
	}
	free(old);
	return true;
}

static bool shadow_put(struct shadow *sh, uint64_t pa, unsigned level, uint64_t desc)
{
	struct shadow_slot *s = shadow_find(sh, pa);
	uint64_t key = pa | KEY_USED | level;

	if (s) {
		s->key = key;
		s->desc = desc;
		return true;
	}
	/* Keep the load at most 1/2: probes stay short and an empty slot always exists. */
	if ((sh->count + 1) * 2 > sh->cap && !shadow_grow(sh))
		return false;
	place(sh, key, desc);
	sh->count++;
	return true;
}

static void shadow_del(struct shadow *sh, uint64_t pa)
{
	struct shadow_slot *s = shadow_find(sh, pa);
	size_t mask = sh->cap - 1, i, j, k;

	if (!s)
		return;
	i = (size_t)(s - sh->slot);
	/* Move back every later entry of the run that may live in the hole. */
	for (j = (i + 1) & mask; sh->slot[j].key; j = (j + 1) & mask) {
		k = home_of(sh, sh->slot[j].key & KEY_PA_MASK);
		/* Entry j stays if its home k lies cyclically in (i, j]. */
		if (i < j ? (k > i && k <= j) : (k > i || k <= j))
			continue;
		sh->slot[i] = sh->slot[j];
		i = j;
	}
	sh->slot[i].key = 0;
	sh->count--;
}

static void shadow_free(struct shadow *sh)
{
	free(sh->slot);
	sh->slot = NULL;
	sh->cap = sh->count = 0;
}

/*
 * Forget the shadows of a table page that left the regime, and of the
 * tables below it. Levels only go down, so a table that points at one of
 * its ancestors cannot make this loop.
 */
static void purge(struct shadow *sh, uint64_t table)
{
	struct shadow_slot *s;
	uint64_t desc;
	unsigned i, level;

	for (i = 0; i < SIM_PTRS_PER_TABLE; i++) {
		s = shadow_find(sh, table + i * 8ull);
		if (!s)
			continue;
		desc = s->desc;
		level = (unsigned)(s->key & KEY_LEVEL_MASK);
		shadow_del(sh, table + i * 8ull);
		if (sim_desc_kind(desc, level) == SIM_DESC_TABLE)
			purge(sh, desc & S2D_ADDR_MASK);
	}
}

/*
 * Why replacing valid descriptor old by valid descriptor cur needs
 * break-before-make, or NULL if it may be done in place. The core keeps
 * counts in a table descriptor's IGNORED bits, so only the next-table
 * address matters for tables.
 */
static const char *bbm_difference(uint64_t old, unsigned old_level, uint64_t cur, unsigned level)
{
	enum sim_desc_kind ko = sim_desc_kind(old, old_level);
	enum sim_desc_kind kc = sim_desc_kind(cur, level);
	uint64_t diff = old ^ cur;

	if (ko != kc)
		return ko == SIM_DESC_TABLE ? "table replaced by a leaf"
					    : "leaf replaced by a table";
	if (ko == SIM_DESC_TABLE)
		return (diff & S2D_ADDR_MASK) ? "next-level table changed" : NULL;
	if (old_level != level)
		return "leaf size changed";
	if (diff & sim_oa_mask(level))
		return "output address changed";
	if (diff & S2D_MEMATTR_MASK)
		return "memory type changed";
	if (diff & S2D_SH_MASK)
		return "shareability changed";
	/* The Arm ARM lists the contiguous hint among the changes that need BBM. */
	if (diff & S2D_CONTIG)
		return "contiguous hint changed";
	return NULL;
}

enum obs_mode {
	OBS_SNAPSHOT, /* pvm_sim_bbm_watch(): take what is there */
	OBS_TLBI,     /* an invalidation covers the descriptor */
	OBS_CHECK,    /* a checkpoint */
};

struct observer {
	struct watched *w;
	enum obs_mode mode;
	unsigned found;
	bool oom;
};

static void report(struct observer *o, uint64_t ipa, unsigned level, uint64_t old, uint64_t cur,
		   const char *why)
{
	o->found++;
	sim_m.stats.bbm_violations++;
	snprintf(bbm.last, sizeof(bbm.last),
		 "break-before-make violation at %s: vmid %u ipa 0x%llx level %u: "
		 "0x%016llx -> 0x%016llx (%s)",
		 o->mode == OBS_TLBI ? "TLBI" : "check", o->w->r.vmid, (unsigned long long)ipa,
		 level, (unsigned long long)old, (unsigned long long)cur, why);
}

static void observe(struct observer *o, uint64_t pa, unsigned level, uint64_t ipa, uint64_t cur)
{
	struct shadow *sh = &o->w->sh;
	struct shadow_slot *s = shadow_find(sh, pa);
	/* Only valid descriptors are kept: absent means invalid. */
	uint64_t old = s ? s->desc : 0;
	unsigned old_level = s ? (unsigned)(s->key & KEY_LEVEL_MASK) : level;
	enum sim_desc_kind ko = sim_desc_kind(old, old_level);
	enum sim_desc_kind kc = sim_desc_kind(cur, level);
	const char *why;

	if (old == cur && old_level == level)
		return;
	if (ko == SIM_DESC_INVALID && kc == SIM_DESC_INVALID)
		return;
	/* Not invalidated yet: the old translation may still be in a TLB. */
	if (o->mode == OBS_CHECK && kc == SIM_DESC_INVALID)
		return;

	if (o->mode != OBS_SNAPSHOT && ko != SIM_DESC_INVALID && kc != SIM_DESC_INVALID) {
		why = bbm_difference(old, old_level, cur, level);
		if (why)
			report(o, ipa, level, old, cur, why);
	}

	if (ko == SIM_DESC_TABLE && !(kc == SIM_DESC_TABLE && !((old ^ cur) & S2D_ADDR_MASK)))
		purge(sh, old & S2D_ADDR_MASK);

	if (kc == SIM_DESC_INVALID) {
		shadow_del(sh, pa);
	} else if (!shadow_put(sh, pa, level, cur)) {
		if (o->mode != OBS_SNAPSHOT)
			sim_die("break-before-make checker: out of host memory");
		o->oom = true;
	}
}

/* Observe every descriptor reachable from a table, the way the walker would reach it. */
static void observe_table(struct observer *o, uint64_t table, uint64_t n, unsigned level,
			  uint64_t ipa_base)
{
	const struct sim_regime *r = &o->w->r;
	const uint64_t *t = sim_descs(table, n);
	unsigned shift = sim_level_shift(level);
	uint64_t i, cur, next;

	/* A walk would fail there (the MMU reports it); there is nothing to cache. */
	if (!t)
		return;
	for (i = 0; i < n && !o->oom; i++) {
		cur = sim_load_desc(&t[i]);
		/* Fast path: at a checkpoint an invalid descriptor never changes the shadow. */
		if (o->mode == OBS_CHECK && !(cur & S2D_VALID))
			continue;
		observe(o, table + i * 8, level, ipa_base + (i << shift), cur);
		if (sim_desc_kind(cur, level) != SIM_DESC_TABLE)
			continue;
		next = cur & S2D_ADDR_MASK;
		if (!(next >> r->pa_bits))
			observe_table(o, next, SIM_PTRS_PER_TABLE, level + 1,
				      ipa_base + (i << shift));
	}
}

static void observe_all(struct observer *o)
{
	const struct sim_regime *r = &o->w->r;

	if (!(r->root >> r->pa_bits))
		observe_table(o, r->root, r->root_entries, r->start_level, 0);
}

/*
 * Observe the descriptors an invalidation of ipa covers: those on its walk
 * path at the hinted level, or at every level for PVM_TLBI_LEVEL_ANY. The
 * path is the current one: a descriptor the core has already replaced is
 * what the invalidation must be about.
 */
/*
 * A level hint (TTL) names the level of a leaf: an invalidation with one
 * need not drop what a CPU cached of a table descriptor at that level (its
 * walk cache), so it does not count as the break of one.
 */
static bool ttl_misses(struct observer *o, uint64_t pa, unsigned hint)
{
	const struct shadow_slot *s;

	if (hint == PVM_TLBI_LEVEL_ANY)
		return false;
	s = shadow_find(&o->w->sh, pa);
	return s && sim_desc_kind(s->desc, (unsigned)(s->key & KEY_LEVEL_MASK)) == SIM_DESC_TABLE;
}

static void observe_path(struct observer *o, uint64_t ipa, unsigned hint)
{
	const struct sim_regime *r = &o->w->r;
	uint64_t table = r->root, idx_mask = r->root_entries - 1, pa, cur, block;
	unsigned level = r->start_level;
	const uint64_t *slot;

	if (ipa >> r->ipa_bits || table >> r->pa_bits)
		return;
	for (;;) {
		pa = table + ((ipa >> sim_level_shift(level)) & idx_mask) * 8;
		slot = sim_descs(pa, 1);
		if (!slot)
			return;
		cur = sim_load_desc(slot);
		if ((hint == PVM_TLBI_LEVEL_ANY || hint == level) && !ttl_misses(o, pa, hint)) {
			block = 1ull << sim_level_shift(level);
			observe(o, pa, level, ipa & ~(block - 1), cur);
		}
		if (sim_desc_kind(cur, level) != SIM_DESC_TABLE)
			return;
		table = cur & S2D_ADDR_MASK;
		if (table >> r->pa_bits)
			return;
		level++;
		idx_mask = SIM_PTRS_PER_TABLE - 1;
	}
}

static struct watched *find_watched(uint16_t vmid)
{
	size_t i;

	for (i = 0; i < bbm.n; i++) {
		if (bbm.w[i].r.vmid == vmid)
			return &bbm.w[i];
	}
	return NULL;
}

void sim_bbm_tlbi_ipa(uint16_t vmid, uint64_t ipa, unsigned level)
{
	struct observer o = {.w = find_watched(vmid), .mode = OBS_TLBI};

	if (o.w)
		observe_path(&o, ipa, level);
}

void sim_bbm_tlbi_vmid(uint16_t vmid)
{
	struct observer o = {.w = find_watched(vmid), .mode = OBS_TLBI};

	if (o.w)
		observe_all(&o);
}

void sim_bbm_reset(void)
{
	size_t i;

	for (i = 0; i < bbm.n; i++)
		shadow_free(&bbm.w[i].sh);
	free(bbm.w);
	bbm.w = NULL;
	bbm.n = bbm.cap = 0;
	bbm.last[0] = '\0';
}

pvm_status_t pvm_sim_bbm_watch(uint64_t vtcr, uint64_t vttbr)
{
	struct sim_regime r;
	struct observer o = {.mode = OBS_SNAPSHOT};
	struct watched *grown;
	pvm_status_t st;

	st = sim_regime_decode(vtcr, vttbr, &r);
	if (st != PVM_OK)
		return st;

	sim_lock();
	/* Checked under the lock: RAM is replaced only with the lock held. */
	if (!sim_descs(r.root, r.root_entries)) {
		st = PVM_E_INVAL;
		goto out;
	}
	if (find_watched(r.vmid)) {
		st = PVM_E_EXISTS;
		goto out;
	}
	if (bbm.n == bbm.cap) {
		size_t cap = bbm.cap ? bbm.cap * 2 : 4;

		grown = realloc(bbm.w, cap * sizeof(*grown));
		if (!grown) {
			st = PVM_E_NOMEM;
			goto out;
		}
		bbm.w = grown;
		bbm.cap = cap;
	}
	o.w = &bbm.w[bbm.n];
	o.w->r = r;
	if (!shadow_init(&o.w->sh)) {
		st = PVM_E_NOMEM;
		goto out;
	}
	observe_all(&o);
	if (o.oom) {
		shadow_free(&o.w->sh);
		st = PVM_E_NOMEM;
		goto out;
	}
	bbm.n++;
out:
	sim_unlock();
	return st;
}

void pvm_sim_bbm_unwatch(uint16_t vmid)
{
	struct watched *w;

	sim_lock();
	w = find_watched(vmid);
	if (w) {
		shadow_free(&w->sh);
		*w = bbm.w[--bbm.n];
	}
	sim_unlock();
}

unsigned pvm_sim_bbm_check(void)
{
	struct observer o = {.mode = OBS_CHECK};
	unsigned found = 0;
	size_t i;

	sim_lock();
	for (i = 0; i < bbm.n; i++) {
		o.w = &bbm.w[i];
		o.found = 0;
		observe_all(&o);
		found += o.found;
	}
	sim_unlock();
	return found;
}

const char *pvm_sim_bbm_last(void)
{
	return bbm.last;
}
