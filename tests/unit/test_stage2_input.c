/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bad input to the stage-2 engine: every call returns its documented
 * status and leaves the tables, the pool and the TLB exactly as before
 * (a digest of a full walk, the table-page count and the pool size are
 * compared before and after each call).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/sim.h>
#include <libpvm/stage2.h>

#include <stdlib.h>
#include <string.h>

#define MiB  (1ull << 20)
#define GiB  (1ull << 30)
#define PAGE 4096ull

struct fixture {
	struct pvm_stage2 s2;
	struct pvm_pool pool;
};

struct snap {
	uint64_t hash, entries, tlbi;
	uint32_t tables;
	size_t pool_free;
};

static int hash_visit(const struct pvm_stage2_visit *v, void *arg)
{
	struct snap *s = arg;

	s->hash = (s->hash ^ v->desc) * 0x100000001b3ull;
	s->hash = (s->hash ^ (v->base | v->level | (uint64_t)v->kind << 8)) * 0x100000001b3ull;
	s->entries++;
	return 0;
}

static struct snap snapshot(struct fixture *f)
{
	struct snap s = {.hash = 0xcbf29ce484222325ull};
	struct pvm_sim_stats st;

	assert_int_equal(pvm_stage2_walk(&f->s2, pvm_ipa(0), f->s2.ipa_limit,
					 PVM_S2_VISIT_LEAF | PVM_S2_VISIT_TABLE_PRE |
						 PVM_S2_VISIT_TABLE_POST,
					 hash_visit, &s),
			 PVM_OK);
	pvm_sim_get_stats(&st);
	s.tlbi = st.tlbi_ipa + st.tlbi_vmid;
	s.tables = f->s2.table_pages;
	s.pool_free = pvm_pool_free_pages(&f->pool);
	return s;
}

static void assert_same(const struct snap *a, const struct snap *b)
{
	assert_int_equal(a->hash, b->hash);
	assert_int_equal(a->entries, b->entries);
	assert_int_equal(a->tables, b->tables);
	assert_int_equal(a->pool_free, b->pool_free);
	assert_int_equal(a->tlbi, b->tlbi);
}

static void donate(struct fixture *f, size_t n)
{
	pvm_paddr_t pa;

	assert_int_equal(pvm_sim_carve(n, 1, &pa), PVM_OK);
	assert_int_equal(pvm_pool_donate(&f->pool, pa, n), PVM_OK);
}

/* A 36-bit IPA space with 4 MiB of RAM (2 MiB blocks) and a few pages already mapped. */
static int setup(void **state)
{
	struct pvm_sim_config mc = {.ram_base = PVM_SIM_RAM_BASE_DEFAULT, .ram_size = 64 * MiB};
	struct pvm_stage2_config cfg = {.ipa_bits = 36, .pa_bits = 40, .vmid = 3};
	struct fixture *f = calloc(1, sizeof(*f));
	pvm_paddr_t root;

	assert_int_equal(pvm_sim_init(&mc), PVM_OK);
	assert_int_equal(pvm_sim_carve(1, 1, &root), PVM_OK);
	pvm_pool_init(&f->pool);
	assert_int_equal(pvm_stage2_init(&f->s2, &cfg, root, &f->pool), PVM_OK);
	donate(f, 16);
	assert_int_equal(pvm_stage2_map(&f->s2, pvm_ipa(0x40000000), pvm_pa(0x80000000), 4 * MiB,
					PVM_PROT_RWX, 0, NULL),
			 PVM_OK);
	assert_int_equal(pvm_stage2_map(&f->s2, pvm_ipa(0x9000000), pvm_pa(0x9000000), 3 * PAGE,
					PVM_PROT_RW | PVM_PROT_DEVICE, 0, NULL),
			 PVM_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	pvm_sim_fini();
	return 0;
}

/* ---- map ---------------------------------------------------------------- */

struct map_case {
	const char *what;
	uint64_t ipa, pa, size;
	pvm_prot_t prot;
	uint32_t flags;
	int expect;
};

static const struct map_case map_cases[] = {
	{"unaligned IPA", 0x1000100, 0x1000000, PAGE, PVM_PROT_RW, 0, PVM_E_INVAL},
	{"unaligned PA", 0x1000000, 0x1000010, PAGE, PVM_PROT_RW, 0, PVM_E_INVAL},
	{"unaligned size", 0x1000000, 0x1000000, PAGE + 1, PVM_PROT_RW, 0, PVM_E_INVAL},
	{"size zero", 0x1000000, 0x1000000, 0, PVM_PROT_RW, 0, PVM_E_INVAL},
	{"unknown prot bit", 0x1000000, 0x1000000, PAGE, 1u << 12, 0, PVM_E_INVAL},
	{"unknown flag", 0x1000000, 0x1000000, PAGE, PVM_PROT_RW, 1u << 5, PVM_E_INVAL},
	{"executable device memory", 0x1000000, 0x1000000, PAGE, PVM_PROT_DEVICE | PVM_PROT_X, 0,
	 PVM_E_INVAL},
	{"IPA beyond the IPA size", 1ull << 36, 0x1000000, PAGE, PVM_PROT_RW, 0, PVM_E_RANGE},
	{"range crossing the top", (1ull << 36) - PAGE, 0x1000000, 2 * PAGE, PVM_PROT_RW, 0,
	 PVM_E_RANGE},
	{"range wrapping 2^64", 0xfffffffffffff000ull, 0x1000000, 2 * PAGE, PVM_PROT_RW, 0,
	 PVM_E_RANGE},
	{"size wrapping 2^64", 0x1000000, 0x1000000, 0xfffffffffffff000ull, PVM_PROT_RW, 0,
	 PVM_E_RANGE},
	{"PA beyond the PA size", 0x1000000, 1ull << 40, PAGE, PVM_PROT_RW, 0, PVM_E_RANGE},
	{"PA range crossing the PA size", 0x1000000, (1ull << 40) - PAGE, 2 * PAGE, PVM_PROT_RW, 0,
	 PVM_E_RANGE},
	{"remap a mapped page", 0x40001000, 0x1000000, PAGE, PVM_PROT_RW, 0, PVM_E_EXISTS},
	{"range overlapping a mapping at its end", 0x3fffe000, 0x1000000, 3 * PAGE, PVM_PROT_RW, 0,
	 PVM_E_EXISTS},
	{"range overlapping a device page", 0x8fff000, 0x1000000, 4 * PAGE, PVM_PROT_RW, 0,
	 PVM_E_EXISTS},
	{"range covering a whole block and more", 0x3fe00000, 0x1000000, 8 * MiB, PVM_PROT_RW, 0,
	 PVM_E_EXISTS},
};

static void test_map_bad_input(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(map_cases) / sizeof(map_cases[0]); i++) {
		const struct map_case *c = &map_cases[i];
		struct snap before = snapshot(f), after;
		size_t need = 77;
		int ret = pvm_stage2_map(&f->s2, pvm_ipa(c->ipa), pvm_pa(c->pa), c->size, c->prot,
					 c->flags, &need);

		if (ret != c->expect)
			fail_msg("%s: got %s, want %s", c->what, pvm_strerror(ret),
				 pvm_strerror(c->expect));
		assert_int_equal(need, 0);
		after = snapshot(f);
		assert_same(&before, &after);
	}
	assert_int_equal(pvm_stage2_map(NULL, pvm_ipa(0), pvm_pa(0), PAGE, 0, 0, NULL),
			 PVM_E_INVAL);
}

/* ---- unmap, protect, annotate -------------------------------------------- */

struct range_case {
	const char *what;
	uint64_t ipa, size;
	int expect;
};

static const struct range_case range_cases[] = {
	{"unaligned IPA", 0x40000010, PAGE, PVM_E_INVAL},
	{"unaligned size", 0x40000000, 100, PVM_E_INVAL},
	{"size zero", 0x40000000, 0, PVM_E_INVAL},
	{"IPA beyond the IPA size", 1ull << 36, PAGE, PVM_E_RANGE},
	{"range crossing the top", (1ull << 36) - PAGE, 2 * PAGE, PVM_E_RANGE},
	{"range wrapping 2^64", 0xfffffffffffff000ull, 2 * PAGE, PVM_E_RANGE},
};

static void test_range_bad_input(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(range_cases) / sizeof(range_cases[0]); i++) {
		const struct range_case *c = &range_cases[i];
		struct snap before = snapshot(f), after;

		assert_int_equal(pvm_stage2_unmap(&f->s2, pvm_ipa(c->ipa), c->size, NULL),
				 c->expect);
		assert_int_equal(
			pvm_stage2_protect(&f->s2, pvm_ipa(c->ipa), c->size, PVM_PROT_R, NULL),
			c->expect);
		assert_int_equal(pvm_stage2_annotate(&f->s2, pvm_ipa(c->ipa), c->size, 5, NULL),
				 c->expect);
		after = snapshot(f);
		assert_same(&before, &after);
	}
}

static void test_protect_semantics(void **state)
{
	struct fixture *f = *state;
	struct snap before = snapshot(f), after;

	/* A hole anywhere in the range: nothing changes, not even the mapped part. */
	assert_int_equal(pvm_stage2_protect(&f->s2, pvm_ipa(0x40000000 + 4 * MiB - PAGE), 2 * PAGE,
					    PVM_PROT_R, NULL),
			 PVM_E_NOENT);
	assert_int_equal(pvm_stage2_protect(&f->s2, pvm_ipa(0x50000000), PAGE, PVM_PROT_R, NULL),
			 PVM_E_NOENT);
	/* Device memory never becomes executable. */
	assert_int_equal(pvm_stage2_protect(&f->s2, pvm_ipa(0x9000000), 3 * PAGE,
					    PVM_PROT_R | PVM_PROT_X, NULL),
			 PVM_E_INVAL);
	/* A range of normal then device pages: nothing changes in either. */
	assert_int_equal(pvm_stage2_map(&f->s2, pvm_ipa(0x8fff000), pvm_pa(0x8fff000), PAGE,
					PVM_PROT_RW, 0, NULL),
			 PVM_OK);
	before = snapshot(f);
	assert_int_equal(
		pvm_stage2_protect(&f->s2, pvm_ipa(0x8fff000), 4 * PAGE, PVM_PROT_RWX, NULL),
		PVM_E_INVAL);
	/* The memory type is not a permission. */
	assert_int_equal(pvm_stage2_protect(&f->s2, pvm_ipa(0x40000000), PAGE,
					    PVM_PROT_R | PVM_PROT_DEVICE, NULL),
			 PVM_E_INVAL);
	assert_int_equal(pvm_stage2_annotate(&f->s2, pvm_ipa(0x40000000), PAGE, 256, NULL),
			 PVM_E_INVAL);
	after = snapshot(f);
	assert_same(&before, &after);
}

/* ---- pool exhaustion in the middle of a range ------------------------------ */

static void test_nomem_changes_nothing(void **state)
{
	struct fixture *f = *state;
	size_t free_pages = pvm_pool_free_pages(&f->pool), need = 0;
	struct snap before, after;
	int ret;

	/*
	 * Map 64 MiB and 8 pages as pages, starting just below a 1 GiB
	 * boundary: more tables than the pool holds. The first tables would
	 * fit; the call must still change nothing.
	 */
	before = snapshot(f);
	ret = pvm_stage2_map(&f->s2, pvm_ipa(0x100000000ull - 8 * PAGE), pvm_pa(0x200000000ull),
			     8 * PAGE + 64 * MiB, PVM_PROT_RW, PVM_S2_MAP_PAGES, &need);
	assert_int_equal(ret, PVM_E_NOMEM);
	/* Two level-2 tables, 1 + 32 level-3 tables; the pool had free_pages. */
	assert_true(free_pages < 35);
	assert_int_equal(need, 35 - free_pages);
	after = snapshot(f);
	assert_same(&before, &after);

	/* Splitting a 2 MiB block to unmap or protect one page needs a page too. */
	while (pvm_pool_free_pages(&f->pool)) {
		/* Use the rest of the pool so that it is empty. */
		pvm_paddr_t pa;
		assert_int_equal(pvm_pool_alloc(&f->pool, &pa), PVM_OK);
	}
	before = snapshot(f);
	assert_int_equal(pvm_stage2_unmap(&f->s2, pvm_ipa(0x40001000), PAGE, &need), PVM_E_NOMEM);
	assert_int_equal(need, 1);
	assert_int_equal(pvm_stage2_protect(&f->s2, pvm_ipa(0x40001000), PAGE, PVM_PROT_R, &need),
			 PVM_E_NOMEM);
	assert_int_equal(need, 1);
	assert_int_equal(pvm_stage2_annotate(&f->s2, pvm_ipa(0x40001000), PAGE, 9, &need),
			 PVM_E_NOMEM);
	assert_int_equal(need, 1);
	after = snapshot(f);
	assert_same(&before, &after);

	/* Whole blocks need nothing. */
	assert_int_equal(
		pvm_stage2_protect(&f->s2, pvm_ipa(0x40000000), 2 * MiB, PVM_PROT_R, &need),
		PVM_OK);
	assert_int_equal(need, 0);

	/* With exactly the reported page, the split goes through. */
	donate(f, 1);
	assert_int_equal(pvm_stage2_unmap(&f->s2, pvm_ipa(0x40201000), PAGE, &need), PVM_OK);
	assert_int_equal(pvm_pool_free_pages(&f->pool), 0);
}

/* ---- init, lookup, walk, pool ------------------------------------------- */

static void test_init_bad_input(void **state)
{
	struct pvm_stage2 s2, zero;
	struct pvm_pool pool;
	pvm_paddr_t root;
	struct {
		unsigned ipa, pa;
		uint64_t root_off;
	} cases[] = {
		{31, 40, 0},	    /* IPA too small */
		{49, 48, 0},	    /* IPA too large */
		{40, 33, 0},	    /* not an architectural PA size */
		{44, 40, 0},	    /* IPA larger than PA */
		{32, 40, PAGE},	    /* 4 concatenated root pages, misaligned */
		{34, 40, 8 * PAGE}, /* 16 root pages, aligned to 8 only */
	};

	(void)state;
	pvm_pool_init(&pool);
	assert_int_equal(pvm_sim_carve(32, 16, &root), PVM_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvm_stage2_config cfg = {.ipa_bits = cases[i].ipa, .pa_bits = cases[i].pa};

		memset(&s2, 0xa5, sizeof(s2));
		memcpy(&zero, &s2, sizeof(s2));
		assert_int_equal(pvm_stage2_init(&s2, &cfg,
						 pvm_pa(pvm_pa_val(root) + cases[i].root_off),
						 &pool),
				 PVM_E_INVAL);
		assert_memory_equal(&s2, &zero, sizeof(s2));
	}
	struct pvm_stage2_config ok = {.ipa_bits = 40, .pa_bits = 40};
	assert_int_equal(pvm_stage2_init(NULL, &ok, root, &pool), PVM_E_INVAL);
	assert_int_equal(pvm_stage2_init(&s2, NULL, root, &pool), PVM_E_INVAL);
	assert_int_equal(pvm_stage2_init(&s2, &ok, root, NULL), PVM_E_INVAL);
	assert_int_equal(pvm_stage2_init(&s2, &ok, root, &pool), PVM_OK);
}

static int stop_at_second(const struct pvm_stage2_visit *v, void *arg)
{
	int *n = arg;

	(void)v;
	return ++*n == 2 ? 42 : 0;
}

static void test_lookup_walk_pool_bad_input(void **state)
{
	struct fixture *f = *state;
	struct pvm_stage2_mapping m;
	struct pvm_pool pool;
	int n = 0;

	assert_int_equal(pvm_stage2_lookup(&f->s2, pvm_ipa(1ull << 36), &m), PVM_E_RANGE);
	assert_int_equal(pvm_stage2_lookup(&f->s2, pvm_ipa(0), NULL), PVM_E_INVAL);
	assert_int_equal(pvm_stage2_lookup(NULL, pvm_ipa(0), &m), PVM_E_INVAL);
	assert_int_equal(pvm_stage2_lookup(&f->s2, pvm_ipa(0x40000123), &m), PVM_OK);
	assert_int_equal(pvm_pa_val(m.pa), 0x80000123);
	assert_int_equal(m.level, 2);
	/* The lookup's decoding on its own: the same answer from the raw descriptor. */
	{
		struct pvm_stage2_mapping d;

		assert_int_equal(pvm_stage2_decode(m.desc, m.level, pvm_ipa(0x40000123), &d),
				 PVM_OK);
		assert_true(d.valid == m.valid && d.level == m.level && d.base == m.base &&
			    d.size == m.size && pvm_pa_val(d.pa) == pvm_pa_val(m.pa) &&
			    d.prot == m.prot && d.owner == m.owner && d.desc == m.desc);
		assert_int_equal(pvm_stage2_decode(m.desc, 4, pvm_ipa(0), &d), PVM_E_INVAL);
		assert_int_equal(pvm_stage2_decode(m.desc, 2, pvm_ipa(0), NULL), PVM_E_INVAL);
		assert_int_equal(pvm_stage2_decode(0x7u << 2, 3, pvm_ipa(0x5000), &d), PVM_E_NOENT);
		assert_int_equal(d.owner, 7);
		assert_int_equal(d.base, 0x5000);
	}

	assert_int_equal(pvm_stage2_walk(&f->s2, pvm_ipa(0), PAGE, PVM_S2_VISIT_LEAF, NULL, NULL),
			 PVM_E_INVAL);
	assert_int_equal(pvm_stage2_walk(&f->s2, pvm_ipa(0), PAGE, 1u << 7, stop_at_second, &n),
			 PVM_E_INVAL);
	assert_int_equal(
		pvm_stage2_walk(&f->s2, pvm_ipa(0), 0, PVM_S2_VISIT_LEAF, stop_at_second, &n),
		PVM_E_INVAL);
	/* A visitor's value stops the walk and comes back unchanged, even 1. */
	assert_int_equal(pvm_stage2_walk(&f->s2, pvm_ipa(0x40000000), 4 * MiB, PVM_S2_VISIT_LEAF,
					 stop_at_second, &n),
			 42);

	pvm_pool_init(&pool);
	assert_int_equal(pvm_pool_donate(&pool, pvm_pa(0x40000010), 1), PVM_E_INVAL);
	assert_int_equal(pvm_pool_donate(&pool, pvm_pa(0x40000000), 0), PVM_E_INVAL);
	assert_int_equal(pvm_pool_donate(&pool, pvm_pa(0xfffffffffffff000ull), 2), PVM_E_RANGE);
	assert_int_equal(pvm_pool_free_pages(&pool), 0);
	pvm_paddr_t pa = pvm_pa(0x1234);
	assert_int_equal(pvm_pool_alloc(&pool, &pa), PVM_E_NOMEM);
	assert_int_equal(pvm_pa_val(pa), 0x1234);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_map_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_range_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect_semantics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nomem_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_walk_pool_bad_input, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
