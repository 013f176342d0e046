/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Differential test of the stage-2 engine against a reference model.
 *
 * Long random sequences of map / unmap / protect / annotate run on the
 * simulated machine with the TLB model and the break-before-make checker
 * on. The reference is a flat array with one entry per page. After every
 * operation every page of the affected range is translated by the
 * simulator's independent MMU (through its TLB: a missing invalidation
 * shows up as a stale translation) and compared with the reference, and
 * the expected status is checked; a failed call must leave the tables
 * exactly as they were. Periodically the whole structure is checked:
 * every table reachable, none empty, each live-entry count right, and
 * every table page accounted for.
 *
 * The pool starts empty, so every call that needs table pages first fails
 * with PVM_E_NOMEM; the test then donates exactly the reported number of
 * pages and the retry must succeed: the count must be exact.
 *
 * Fixed seeds in CI; PVM_SOAK_SEED and PVM_SOAK_OPS run a soak.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/sim.h>
#include <libpvm/stage2.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KiB  (1ull << 10)
#define MiB  (1ull << 20)
#define GiB  (1ull << 30)
#define PAGE 4096ull

#define WINDOW	    (4 * GiB) /* IPA space the operations play in */
#define WIN_PAGES   (WINDOW / PAGE)
#define CHECK_EVERY 64u

struct ref {
	uint32_t pfn; /* PA >> 12 */
	uint8_t valid;
	uint8_t prot;  /* pvm_prot_t, low 8 bits */
	uint8_t owner; /* annotation when invalid */
	uint8_t pad;
};

struct world {
	struct pvm_stage2 s2;
	struct pvm_pool pool;
	struct ref *ref;
	uint64_t rng;
	uint64_t vtcr, vttbr;
	size_t donated;
	unsigned long ops, fails, nomems;
};

static uint64_t rnd(struct world *w)
{
	/* xorshift64* */
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545f4914f6cdd1dull;
}

static uint64_t below(struct world *w, uint64_t n)
{
	return rnd(w) % n;
}

/* ---- structural digest and checks ------------------------------------- */

struct digest {
	uint64_t h;
	uint64_t n;
};

static int digest_visit(const struct pvm_stage2_visit *v, void *arg)
{
	struct digest *d = arg;

	/* Table descriptors carry a count that a failing call must not change either. */
	d->h = (d->h ^ v->desc) * 0x100000001b3ull;
	d->h = (d->h ^ (v->base + v->level)) * 0x100000001b3ull;
	d->n++;
	return 0;
}

static struct digest digest_range(struct world *w, uint64_t start, uint64_t end)
{
	struct digest d = {0xcbf29ce484222325ull, 0};

	start = start >= 2 * MiB ? (start & ~(2 * MiB - 1)) - 2 * MiB : 0;
	end = (end + 4 * MiB - 1) & ~(2 * MiB - 1);
	if (end > w->s2.ipa_limit)
		end = w->s2.ipa_limit;
	assert_int_equal(pvm_stage2_walk(&w->s2, pvm_ipa(start), end - start,
					 PVM_S2_VISIT_LEAF | PVM_S2_VISIT_TABLE_PRE, digest_visit,
					 &d),
			 PVM_OK);
	return d;
}

struct shape {
	struct world *w;
	uint64_t tables;
	uint64_t pages_checked;
	const char *err;
};

/* Every table: its count is its number of non-zero entries, and it is not empty. */
static int shape_visit(const struct pvm_stage2_visit *v, void *arg)
{
	struct shape *s = arg;
	const uint64_t *t = pvm_sim_ram(pvm_pa(v->desc & 0x0000fffffffff000ull), PAGE);
	unsigned live = 0;

	if (!t) {
		s->err = "table outside RAM";
		return 1;
	}
	for (unsigned i = 0; i < 512; i++)
		live += t[i] != 0;
	if (live == 0) {
		s->err = "empty table left behind";
		return 1;
	}
	/* The count's bits 5:0 in the descriptor's IGNORED 7:2, its bits 9:6 in 58:55. */
	if (live != (((v->desc >> 2) & 0x3f) | ((v->desc >> 55) & 0xf) << 6)) {
		s->err = "live-entry count in table descriptor is wrong";
		return 1;
	}
	s->tables++;
	return 0;
}

/* Leaves against the reference, page by page. */
static int leaf_visit(const struct pvm_stage2_visit *v, void *arg)
{
	struct shape *s = arg;
	struct world *w = s->w;

	for (uint64_t a = v->addr; a < v->end && a < WINDOW; a += PAGE) {
		const struct ref *r = &w->ref[a / PAGE];
		bool valid = v->desc & 1;

		s->pages_checked++;
		if (valid != (bool)r->valid) {
			s->err = "leaf validity differs from the reference";
			return 1;
		}
		if (!valid) {
			if (((v->desc >> 2) & 0xff) != r->owner) {
				s->err = "annotation differs from the reference";
				return 1;
			}
			continue;
		}
		uint64_t size = 1ull << (12 + 9 * (3 - v->level));
		uint64_t pa = (v->desc & 0x0000fffffffff000ull & ~(size - 1)) + (a - v->base);

		if (pa >> 12 != r->pfn || (pvm_stage2_decode_prot(v->desc) & 0xff) != r->prot) {
			s->err = "leaf differs from the reference";
			return 1;
		}
	}
	return 0;
}

static void check_whole(struct world *w)
{
	struct shape s = {.w = w};
	int ret;

	ret = pvm_stage2_walk(&w->s2, pvm_ipa(0), w->s2.ipa_limit, PVM_S2_VISIT_TABLE_PRE,
			      shape_visit, &s);
	if (ret)
		fail_msg("after op %lu: %s", w->ops, s.err);
	assert_int_equal(s.tables, w->s2.table_pages);
	assert_int_equal(pvm_pool_free_pages(&w->pool) + w->s2.table_pages, w->donated);

	ret = pvm_stage2_walk(&w->s2, pvm_ipa(0),
			      WINDOW < w->s2.ipa_limit ? WINDOW : w->s2.ipa_limit,
			      PVM_S2_VISIT_LEAF, leaf_visit, &s);
	if (ret)
		fail_msg("after op %lu: %s", w->ops, s.err);
	if (pvm_sim_bbm_check() != 0)
		fail_msg("after op %lu: break-before-make: %s", w->ops, pvm_sim_bbm_last());
}

/* ---- MMU against the reference ---------------------------------------- */

static void expect_access(struct world *w, uint64_t ipa, enum pvm_sim_access acc, bool allowed,
			  const struct ref *r)
{
	struct pvm_sim_s2_result res;

	assert_int_equal(pvm_sim_s2_translate(w->vtcr, w->vttbr, ipa, acc, &res), PVM_OK);
	if (!allowed) {
		if (!res.fault || (res.fsc & ~3u) != PVM_FSC_PERMISSION(0))
			fail_msg("op %lu: IPA 0x%" PRIx64
				 " access %d: expected a permission fault, "
				 "got fault=%d fsc=0x%x (tlb %d)",
				 w->ops, ipa, acc, res.fault, res.fsc, res.from_tlb);
		return;
	}
	if (res.fault)
		fail_msg("op %lu: IPA 0x%" PRIx64 " access %d: unexpected fault fsc=0x%x", w->ops,
			 ipa, acc, res.fsc);
	if (pvm_pa_val(res.pa) >> 12 != r->pfn)
		fail_msg("op %lu: IPA 0x%" PRIx64 " -> PA 0x%" PRIx64 ", expected 0x%" PRIx64
			 " (tlb %d)",
			 w->ops, ipa, pvm_pa_val(res.pa), (uint64_t)r->pfn << 12, res.from_tlb);
	/*
	 * Software bits are ignored by the walker, so the engine does not
	 * invalidate for them: only a fresh walk must show the new value.
	 */
	if (res.memattr != ((r->prot & PVM_PROT_DEVICE) ? 0x1 : 0xf) ||
	    (!res.from_tlb && res.sw != ((r->prot & PVM_PROT_SW_MASK) >> PVM_PROT_SW_SHIFT)) ||
	    res.sh != 3)
		fail_msg("op %lu: IPA 0x%" PRIx64 ": attributes differ", w->ops, ipa);
}

static void check_page(struct world *w, uint64_t ipa)
{
	const struct ref *r = &w->ref[ipa / PAGE];
	struct pvm_stage2_mapping m;

	if (!r->valid) {
		struct pvm_sim_s2_result res;

		assert_int_equal(pvm_sim_s2_translate(w->vtcr, w->vttbr, ipa, PVM_SIM_READ, &res),
				 PVM_OK);
		if (!res.fault || (res.fsc & ~3u) != PVM_FSC_TRANSLATION(0))
			fail_msg("op %lu: IPA 0x%" PRIx64 " should be unmapped (fault=%d fsc=0x%x, "
				 "tlb %d)",
				 w->ops, ipa, res.fault, res.fsc, res.from_tlb);
		assert_int_equal(pvm_stage2_lookup(&w->s2, pvm_ipa(ipa), &m), PVM_E_NOENT);
		assert_int_equal(m.owner, r->owner);
		return;
	}
	assert_int_equal(pvm_stage2_lookup(&w->s2, pvm_ipa(ipa), &m), PVM_OK);
	assert_int_equal(m.prot & 0xff, r->prot);
	expect_access(w, ipa, PVM_SIM_READ, r->prot & PVM_PROT_R, r);
	expect_access(w, ipa, PVM_SIM_WRITE, r->prot & PVM_PROT_W, r);
	expect_access(w, ipa, PVM_SIM_EXEC, r->prot & PVM_PROT_X, r);
}

static void check_range(struct world *w, uint64_t start, uint64_t size)
{
	for (uint64_t a = start; a < start + size; a += PAGE)
		check_page(w, a);
	/* And a few pages elsewhere, through the TLB too. */
	for (int i = 0; i < 4; i++)
		check_page(w, below(w, WIN_PAGES) * PAGE);
}

/* ---- operations --------------------------------------------------------- */

static void donate(struct world *w, size_t n)
{
	pvm_paddr_t pa;

	assert_int_equal(pvm_sim_carve(n, 1, &pa), PVM_OK);
	assert_int_equal(pvm_pool_donate(&w->pool, pa, n), PVM_OK);
	w->donated += n;
}

enum kind { MAP, UNMAP, PROTECT, ANNOTATE };

struct call {
	enum kind kind;
	uint64_t ipa, size, pa;
	pvm_prot_t prot;
	uint32_t flags;
	unsigned owner;
};

/* The check half alone: what the call would return, and the pages it would take. */
static int prepare(struct world *w, const struct call *c, size_t *pages)
{
	switch (c->kind) {
	case MAP:
		return pvm_stage2_map_prepare(&w->s2, pvm_ipa(c->ipa), pvm_pa(c->pa), c->size,
					      c->prot, c->flags, pages);
	case UNMAP:
		return pvm_stage2_annotate_prepare(&w->s2, pvm_ipa(c->ipa), c->size, 0, pages);
	case PROTECT:
		return pvm_stage2_protect_prepare(&w->s2, pvm_ipa(c->ipa), c->size, c->prot, pages);
	case ANNOTATE:
		return pvm_stage2_annotate_prepare(&w->s2, pvm_ipa(c->ipa), c->size, c->owner,
						   pages);
	}
	return PVM_E_INVAL;
}

static int issue(struct world *w, const struct call *c, size_t *need)
{
	switch (c->kind) {
	case MAP:
		return pvm_stage2_map(&w->s2, pvm_ipa(c->ipa), pvm_pa(c->pa), c->size, c->prot,
				      c->flags, need);
	case UNMAP:
		return pvm_stage2_unmap(&w->s2, pvm_ipa(c->ipa), c->size, need);
	case PROTECT:
		return pvm_stage2_protect(&w->s2, pvm_ipa(c->ipa), c->size, c->prot, need);
	case ANNOTATE:
		return pvm_stage2_annotate(&w->s2, pvm_ipa(c->ipa), c->size, c->owner, need);
	}
	return PVM_E_INVAL;
}

/* What the reference says the call must return (ignoring pool shortage). */
static int expected(struct world *w, const struct call *c)
{
	/* Device memory is never executable. */
	if (c->kind == MAP && (c->prot & PVM_PROT_DEVICE) && (c->prot & PVM_PROT_X))
		return PVM_E_INVAL;
	for (uint64_t a = c->ipa; a < c->ipa + c->size; a += PAGE) {
		const struct ref *r = &w->ref[a / PAGE];

		if (c->kind == MAP && r->valid)
			return PVM_E_EXISTS;
		if (c->kind == PROTECT && !r->valid)
			return PVM_E_NOENT;
		if (c->kind == PROTECT && (c->prot & PVM_PROT_X) && (r->prot & PVM_PROT_DEVICE))
			return PVM_E_INVAL;
	}
	return PVM_OK;
}

static void apply(struct world *w, const struct call *c)
{
	for (uint64_t a = c->ipa, i = 0; a < c->ipa + c->size; a += PAGE, i++) {
		struct ref *r = &w->ref[a / PAGE];

		switch (c->kind) {
		case MAP:
			*r = (struct ref){.pfn = (uint32_t)((c->pa >> 12) + i),
					  .valid = 1,
					  .prot = (uint8_t)c->prot};
			break;
		case UNMAP:
			*r = (struct ref){0};
			break;
		case ANNOTATE:
			*r = (struct ref){.owner = (uint8_t)c->owner};
			break;
		case PROTECT:
			r->prot = (uint8_t)((r->prot & PVM_PROT_DEVICE) | c->prot);
			break;
		}
	}
}

static void random_call(struct world *w, struct call *c)
{
	uint64_t pick = below(w, 1000), start, size;
	/* Most action in a few hot zones, one straddling a 1 GiB boundary. */
	static const uint64_t zones[] = {0, GiB - 16 * MiB, 2 * GiB + 6 * MiB, 3 * GiB};

	start = zones[below(w, 4)];
	if (pick < 2) { /* a whole 1 GiB */
		start = below(w, 4) * GiB;
		size = GiB;
	} else if (pick < 100) { /* a few 2 MiB chunks: blocks */
		start = (start + below(w, 16) * 2 * MiB) & ~(2 * MiB - 1);
		size = (1 + below(w, 2)) * 2 * MiB;
	} else if (pick < 160) { /* something large and unaligned */
		start += below(w, 8192) * PAGE;
		size = (1 + below(w, 700)) * PAGE;
	} else { /* small */
		start += below(w, 8192) * PAGE;
		size = (1 + below(w, 24)) * PAGE;
	}
	if (start + size > WINDOW)
		size = WINDOW - start;

	memset(c, 0, sizeof(*c));
	c->ipa = start;
	c->size = size;
	pick = below(w, 100);
	c->kind = pick < 45 ? MAP : pick < 75 ? UNMAP : pick < 92 ? PROTECT : ANNOTATE;
	c->prot = (pvm_prot_t)below(w, 8) | PVM_PROT_SW(below(w, 16));
	if (c->kind == MAP) {
		if (below(w, 4) == 0)
			c->prot |= PVM_PROT_DEVICE;
		c->flags = below(w, 4) == 0 ? PVM_S2_MAP_PAGES : 0;
		/* Often block-aligned (blocks possible), sometimes any page. */
		c->pa = below(w, 3) ? start + (1 + below(w, 64)) * GiB
				    : start + (1 + below(w, 1u << 20)) * PAGE + GiB;
	}
	if (c->kind == ANNOTATE)
		c->owner = (unsigned)below(w, 256);
}

static void one_op(struct world *w)
{
	struct call c;
	size_t need = 0, tables;
	struct digest before, after;
	int exp, ret;

	random_call(w, &c);
	exp = expected(w, &c);
	before = digest_range(w, c.ipa, c.ipa + c.size);
	tables = w->s2.table_pages;

	/* Preparing changes nothing and predicts the call exactly. */
	size_t pages = 0, free_before = pvm_pool_free_pages(&w->pool);
	int prep = prepare(w, &c, &pages);

	assert_int_equal(prep, exp);
	after = digest_range(w, c.ipa, c.ipa + c.size);
	assert_true(before.h == after.h && before.n == after.n);

	ret = issue(w, &c, &need);
	if (ret == PVM_OK)
		assert_true(pages <= free_before);
	if (ret == PVM_E_NOMEM) {
		assert_int_equal(need, pages - free_before);
		w->nomems++;
		assert_true(need > 0);
		after = digest_range(w, c.ipa, c.ipa + c.size);
		assert_true(before.h == after.h && before.n == after.n);
		assert_int_equal(tables, w->s2.table_pages);
		check_range(w, c.ipa, c.size);
		/* Exactly the reported shortfall must be enough. */
		donate(w, need);
		ret = issue(w, &c, &need);
	}
	if (ret != exp)
		fail_msg("op %lu (kind %d ipa 0x%" PRIx64 " size 0x%" PRIx64 "): got %s, want %s",
			 w->ops, c.kind, c.ipa, c.size, pvm_strerror(ret), pvm_strerror(exp));
	if (ret == PVM_OK) {
		apply(w, &c);
	} else {
		w->fails++;
		after = digest_range(w, c.ipa, c.ipa + c.size);
		assert_true(before.h == after.h && before.n == after.n);
		assert_int_equal(tables, w->s2.table_pages);
	}
	check_range(w, c.ipa, c.size);
	w->ops++;
	if (w->ops % CHECK_EVERY == 0)
		check_whole(w);
}

static void run_seed(uint64_t seed, unsigned ipa_bits, unsigned long nops)
{
	struct pvm_sim_config mc = {.ram_base = PVM_SIM_RAM_BASE_DEFAULT, .ram_size = 256 * MiB};
	struct pvm_stage2_config cfg = {.ipa_bits = ipa_bits, .pa_bits = 48, .vmid = 7};
	struct world *w = calloc(1, sizeof(*w));
	pvm_paddr_t root;

	assert_non_null(w);
	w->ref = calloc(WIN_PAGES, sizeof(*w->ref));
	assert_non_null(w->ref);
	w->rng = seed * 0x9e3779b97f4a7c15ull + 1;

	assert_int_equal(pvm_sim_init(&mc), PVM_OK);
	assert_int_equal(pvm_sim_carve(pvm_stage2_root_pages(ipa_bits),
				       pvm_stage2_root_pages(ipa_bits), &root),
			 PVM_OK);
	pvm_pool_init(&w->pool);
	assert_int_equal(pvm_stage2_init(&w->s2, &cfg, root, &w->pool), PVM_OK);
	w->vtcr = pvm_stage2_vtcr(&w->s2);
	w->vttbr = pvm_stage2_vttbr(&w->s2);
	pvm_sim_tlb_enable(true);
	assert_int_equal(pvm_sim_bbm_watch(w->vtcr, w->vttbr), PVM_OK);

	while (w->ops < nops)
		one_op(w);
	check_whole(w);

	/* Tear down: everything goes back to the pool. */
	pvm_stage2_destroy(&w->s2);
	assert_int_equal(w->s2.table_pages, 0);
	assert_int_equal(pvm_pool_free_pages(&w->pool), w->donated);
	for (uint64_t a = 0; a < WINDOW; a += 2 * MiB) {
		struct pvm_sim_s2_result res;

		assert_int_equal(pvm_sim_s2_translate(w->vtcr, w->vttbr, a, PVM_SIM_READ, &res),
				 PVM_OK);
		assert_true(res.fault);
	}
	assert_int_equal(pvm_sim_bbm_check(), 0);

	struct pvm_sim_stats st;
	pvm_sim_get_stats(&st);
	print_message("seed %" PRIu64 " ipa %u: %lu ops, %lu failed as expected, %lu NOMEM "
		      "retries, %zu pages donated, tlbi ipa %" PRIu64 " vmid %" PRIu64 "\n",
		      seed, ipa_bits, w->ops, w->fails, w->nomems, w->donated, st.tlbi_ipa,
		      st.tlbi_vmid);
	pvm_sim_bbm_unwatch(cfg.vmid);
	pvm_sim_fini();
	free(w->ref);
	free(w);
}

static unsigned long env_ops(unsigned long dflt)
{
	const char *s = getenv("PVM_SOAK_OPS");

	return s ? strtoul(s, NULL, 0) : dflt;
}

/* Three fixed seeds, three start levels: 36,000 operations each (108,000 per run). */
static void test_seed_ipa32(void **state)
{
	(void)state;
	run_seed(1, 32, env_ops(36000));
}

static void test_seed_ipa36(void **state)
{
	(void)state;
	run_seed(2, 36, env_ops(36000));
}

static void test_seed_ipa44(void **state)
{
	(void)state;
	run_seed(3, 44, env_ops(36000));
}

/* Only registered when PVM_SOAK_SEED is set: one long run of that seed. */
static void test_soak(void **state)
{
	uint64_t seed = strtoull(getenv("PVM_SOAK_SEED"), NULL, 0);

	(void)state;
	run_seed(seed, 32 + (unsigned)(seed % 17), env_ops(1000000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_ipa32),
		cmocka_unit_test(test_seed_ipa36),
		cmocka_unit_test(test_seed_ipa44),
	};
	const struct CMUnitTest soak[] = {
		cmocka_unit_test(test_soak),
	};

	if (getenv("PVM_SOAK_SEED"))
		return cmocka_run_group_tests(soak, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
