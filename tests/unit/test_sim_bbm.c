/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The break-before-make checker, driven by hand-written descriptor changes
 * that play the core's part: what it must flag (a valid descriptor replaced
 * by a different valid one with no invalidation observing an invalid step
 * in between) and what it must not (proper break/TLBI/make, changes allowed
 * in place, table replacement and table-page reuse after an invalidation).
 *
 * Regime: 40-bit IPA, start level 1 with two concatenated root pages,
 * root[0] -> l2, l2[0] -> l3, l2[1] a 2 MiB block, l3[0..3] pages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/port.h>
#include <libpvm/sim.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MiB (1ull << 20)
#define GiB (1ull << 30)

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (64 * MiB)

/* Stage-2 descriptor bits (Arm ARM, VMSAv8-64). */
#define D_NORMAL	(0xfull << 2)
#define D_DEVICE	(0x1ull << 2)
#define D_R		(1ull << 6)
#define D_W		(1ull << 7)
#define D_ISH		(3ull << 8)
#define D_OSH		(2ull << 8)
#define D_AF		(1ull << 10)
#define D_CONTIG	(1ull << 52)
#define D_XN(x)		((uint64_t)(x) << 53)
#define D_SW(x)		((uint64_t)(x) << 55)
#define D_RW		(D_NORMAL | D_R | D_W | D_ISH | D_AF)
#define TABLE(pa)	((pa) | 0x3ull)
#define BLOCK(pa, attr) ((pa) | 0x1ull | (attr))
#define PAGE(pa, attr)	((pa) | 0x3ull | (attr))

#define VMID  5
#define OTHER 6
/* 40-bit IPA, SL0 = 1 (level 1), 40-bit PS, 16-bit VMID. */
#define VTCR_40 (24ull | 1ull << 6 | 2ull << 16 | 1ull << 19 | 1ull << 31)

#define DATA 0x40000000ull /* output addresses; the low 32 MiB of RAM are never carved here */

static uint64_t root, l2, l3;

static uint64_t carve(uint64_t npages, uint64_t align)
{
	pvm_paddr_t pa;

	assert_int_equal(pvm_sim_carve(npages, align, &pa), PVM_OK);
	return pvm_pa_val(pa);
}

static uint64_t *slot(uint64_t table, unsigned idx)
{
	uint64_t *p = pvm_sim_ram(pvm_pa(table + idx * 8ull), 8);

	assert_non_null(p);
	return p;
}

static void wr(uint64_t table, unsigned idx, uint64_t desc)
{
	*slot(table, idx) = desc;
}

static uint64_t vttbr(uint64_t r, uint16_t vmid)
{
	return r | (uint64_t)vmid << 48;
}

static void tlbi(uint64_t ipa, unsigned level)
{
	pvm_port_tlbi_ipa(VMID, pvm_ipa(ipa), level);
}

static uint64_t violations(void)
{
	struct pvm_sim_stats st;

	pvm_sim_get_stats(&st);
	return st.bbm_violations;
}

static void expect_last(const char *needle)
{
	if (!strstr(pvm_sim_bbm_last(), needle))
		fail_msg("\"%s\" not in \"%s\"", needle, pvm_sim_bbm_last());
}

static int setup(void **state)
{
	struct pvm_sim_config cfg = {.ram_base = RAM_BASE, .ram_size = RAM_SIZE};
	unsigned i;

	(void)state;
	if (pvm_sim_init(&cfg) != PVM_OK)
		return -1;
	root = carve(2, 2);
	l2 = carve(1, 1);
	l3 = carve(1, 1);
	wr(root, 0, TABLE(l2));
	wr(l2, 0, TABLE(l3));
	wr(l2, 1, BLOCK(DATA + 2 * MiB, D_RW));
	for (i = 0; i < 4; i++)
		wr(l3, i, PAGE(DATA + i * 4096ull, D_RW));
	assert_string_equal(pvm_sim_bbm_last(), "");
	assert_int_equal(pvm_sim_bbm_watch(VTCR_40, vttbr(root, VMID)), PVM_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pvm_sim_fini();
	return 0;
}

static void test_watch(void **state)
{
	uint64_t r2 = carve(2, 2);

	(void)state;
	assert_int_equal(pvm_sim_bbm_check(), 0);
	assert_int_equal(pvm_sim_bbm_watch(VTCR_40, vttbr(root, VMID)), PVM_E_EXISTS);
	assert_int_equal(pvm_sim_bbm_watch(VTCR_40, vttbr(r2, VMID)), PVM_E_EXISTS);
	assert_int_equal(pvm_sim_bbm_watch(VTCR_40 | 1ull << 14, vttbr(r2, OTHER)), PVM_E_INVAL);
	assert_int_equal(pvm_sim_bbm_watch(VTCR_40, vttbr(r2 + 4096, OTHER)), PVM_E_INVAL);
	/* The root must be RAM. */
	assert_int_equal(pvm_sim_bbm_watch(VTCR_40, vttbr(0x2000, OTHER)), PVM_E_INVAL);
	assert_int_equal(pvm_sim_bbm_watch(VTCR_40, vttbr(RAM_BASE + RAM_SIZE, OTHER)),
			 PVM_E_INVAL);
	assert_int_equal(pvm_sim_bbm_watch(VTCR_40, vttbr(r2, OTHER)), PVM_OK);

	pvm_sim_bbm_unwatch(VMID);
	pvm_sim_bbm_unwatch(VMID); /* harmless */
	assert_int_equal(pvm_sim_bbm_watch(VTCR_40, vttbr(root, VMID)), PVM_OK);
	assert_int_equal(pvm_sim_bbm_check(), 0);
}

/* The plain bug: a new output address written over a live entry. */
static void test_make_over_valid(void **state)
{
	(void)state;
	wr(l3, 1, PAGE(DATA + 0x100000, D_RW));
	assert_int_equal(pvm_sim_bbm_check(), 1);
	assert_int_equal(violations(), 1);
	expect_last("at check");
	expect_last("vmid 5");
	expect_last("ipa 0x1000 ");
	expect_last("level 3");
	expect_last("0x00000000400017ff -> 0x00000000401007ff");
	expect_last("output address");
	/* Reported once: the checker now takes the new entry as observed. */
	assert_int_equal(pvm_sim_bbm_check(), 0);
	assert_int_equal(violations(), 1);
}

/* Broken, seen broken by a checkpoint, made again: no TLBI ever saw it invalid. */
static void test_break_make_without_tlbi(void **state)
{
	(void)state;
	wr(l3, 2, 0);
	assert_int_equal(pvm_sim_bbm_check(), 0);
	wr(l3, 2, PAGE(DATA + 0x200000, D_RW));
	assert_int_equal(pvm_sim_bbm_check(), 1);
	expect_last("ipa 0x2000 ");
}

/* Break, make, then TLBI: the invalidation comes too late and is flagged itself. */
static void test_tlbi_after_make(void **state)
{
	(void)state;
	wr(l3, 2, 0);
	wr(l3, 2, PAGE(DATA + 0x200000, D_RW));
	tlbi(0x2000, 3);
	assert_int_equal(violations(), 1);
	expect_last("at TLBI");
	assert_int_equal(pvm_sim_bbm_check(), 0);
	assert_int_equal(violations(), 1);
}

static void test_proper_bbm(void **state)
{
	(void)state;
	/* break, TLBI with the exact level, make */
	wr(l3, 1, 0);
	assert_int_equal(pvm_sim_bbm_check(), 0);
	tlbi(0x1000, 3);
	assert_int_equal(pvm_sim_bbm_check(), 0);
	wr(l3, 1, PAGE(DATA + 0x100000, D_RW | D_XN(2)));
	assert_int_equal(pvm_sim_bbm_check(), 0);

	/* with an unknown level, and without a checkpoint in between */
	wr(l3, 2, 0);
	tlbi(0x2fff, PVM_TLBI_LEVEL_ANY);
	wr(l3, 2, PAGE(DATA + 0x300000, D_RW));
	assert_int_equal(pvm_sim_bbm_check(), 0);

	/* with a VMID-wide invalidation, for two entries in two tables */
	wr(l3, 3, 0);
	wr(l2, 1, 0);
	pvm_port_tlbi_vmid(VMID);
	wr(l3, 3, PAGE(DATA + 0x400000, D_RW));
	wr(l2, 1, BLOCK(DATA + 0x600000, D_RW));
	assert_int_equal(pvm_sim_bbm_check(), 0);

	/* a 2 MiB block */
	wr(l2, 1, 0);
	tlbi(0x200000 + 0x1234, 2);
	wr(l2, 1, BLOCK(DATA + 0x800000, D_RW));
	assert_int_equal(pvm_sim_bbm_check(), 0);
	assert_int_equal(violations(), 0);
	assert_string_equal(pvm_sim_bbm_last(), "");
}

/* An invalidation that does not cover the entry does not count. */
static void test_tlbi_that_misses(void **state)
{
	static const struct {
		uint16_t vmid;
		uint64_t ipa;
		unsigned level;
	} miss[] = {
		{VMID, 0x1000, 2},  /* wrong level hint */
		{VMID, 0x1000, 1},  /* wrong level hint */
		{VMID, 0x2000, 3},  /* another page */
		{OTHER, 0x1000, 3}, /* another VMID */
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(miss) / sizeof(miss[0]); i++) {
		wr(l3, 1, 0);
		pvm_port_tlbi_ipa(miss[i].vmid, pvm_ipa(miss[i].ipa), miss[i].level);
		wr(l3, 1, PAGE(DATA + (i + 1) * 0x100000ull, D_RW));
		if (pvm_sim_bbm_check() != 1)
			fail_msg("case %u: not flagged", i);
	}
	assert_int_equal(violations(), 4);
}

/* Permissions, AF, XN and software bits may change in place. */
static void test_changes_allowed_in_place(void **state)
{
	static const uint64_t page[] = {
		PAGE(DATA, D_NORMAL | D_R | D_ISH | D_AF),
		PAGE(DATA, D_NORMAL | D_ISH | D_AF),
		PAGE(DATA, D_RW | D_XN(2)),
		PAGE(DATA, D_RW | D_XN(1) | D_SW(0xf)),
		PAGE(DATA, D_RW & ~D_AF),
		PAGE(DATA, D_RW | D_SW(0x3)),
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(page) / sizeof(page[0]); i++) {
		wr(l3, 0, page[i]);
		if (pvm_sim_bbm_check() != 0)
			fail_msg("case %u flagged: %s", i, pvm_sim_bbm_last());
	}
	/* Ignored bits of a table descriptor: the core keeps counts in 11:2. */
	wr(l2, 0, TABLE(l3) | 0x7fc);
	assert_int_equal(pvm_sim_bbm_check(), 0);
	wr(l2, 0, TABLE(l3) | 0x10 | 0xffull << 51 | 0x1full << 59);
	assert_int_equal(pvm_sim_bbm_check(), 0);
	tlbi(0, PVM_TLBI_LEVEL_ANY);
	wr(l2, 0, TABLE(l3));
	pvm_port_tlbi_vmid(VMID);
	assert_int_equal(pvm_sim_bbm_check(), 0);
	assert_int_equal(violations(), 0);
}

/* Every change that needs break-before-make, each on a live entry. */
#define DEV_OSH ((D_RW & ~D_NORMAL & ~D_ISH) | D_DEVICE | D_OSH)
static void test_changes_needing_bbm(void **state)
{
	uint64_t other_l3 = carve(1, 1);
	const struct {
		uint64_t table;
		unsigned idx;
		uint64_t desc;
		const char *why;
	} change[] = {
		{l3, 0, PAGE(DATA + 0x10000, D_RW), "output address"},
		{l3, 0, PAGE(DATA + 0x10000, (D_RW & ~D_NORMAL) | D_DEVICE), "memory type"},
		{l3, 0, PAGE(DATA + 0x10000, DEV_OSH), "shareability"},
		{l3, 0, PAGE(DATA + 0x10000, DEV_OSH | D_CONTIG), "contiguous"},
		{l2, 1, TABLE(other_l3), "leaf replaced by a table"},
		{l2, 1, BLOCK(DATA + 2 * MiB, D_RW), "table replaced by a leaf"},
		{l2, 0, TABLE(other_l3), "next-level table"},
		{root, 1, BLOCK(DATA, D_RW), NULL},
		{root, 1, BLOCK(DATA + GiB, D_RW), "output address"},
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(change) / sizeof(change[0]); i++) {
		wr(change[i].table, change[i].idx, change[i].desc);
		if (pvm_sim_bbm_check() != (change[i].why ? 1u : 0u))
			fail_msg("case %u: \"%s\"", i, pvm_sim_bbm_last());
		if (change[i].why)
			expect_last(change[i].why);
	}
	expect_last("level 1");
	expect_last("ipa 0x40000000 ");
}

/*
 * Split a block into a table and collapse it again, with break-before-make,
 * then reuse the freed table page elsewhere with other contents: the
 * checker must have forgotten the page's old entries.
 */
static void test_table_replacement_and_reuse(void **state)
{
	uint64_t t = carve(1, 1);
	unsigned i;

	(void)state;
	for (i = 0; i < 512; i++)
		wr(t, i, PAGE(DATA + 2 * MiB + i * 4096ull, D_RW));
	wr(l2, 1, 0);
	tlbi(0x200000, 2);
	wr(l2, 1, TABLE(t));
	assert_int_equal(pvm_sim_bbm_check(), 0);

	/*
	 * Collapse: the table goes, its page is free. An invalidation with the
	 * table's level as its hint (TTL names a leaf's level) need not drop
	 * the walk-cache entry: the new block is still a violation; without a
	 * hint the break is complete.
	 */
	wr(l2, 1, 0);
	tlbi(0x200000, 2);
	wr(l2, 1, BLOCK(DATA + 2 * MiB, D_RW));
	assert_int_equal(pvm_sim_bbm_check(), 1);
	wr(l2, 1, 0);
	tlbi(0x200000, PVM_TLBI_LEVEL_ANY);
	wr(l2, 1, BLOCK(DATA + 2 * MiB, D_RW));
	assert_int_equal(pvm_sim_bbm_check(), 0);

	/* Reused as the table of another 2 MiB range with other pages. */
	for (i = 0; i < 512; i++)
		wr(t, i, PAGE(DATA + 16 * MiB + i * 4096ull, D_RW));
	wr(l2, 5, TABLE(t));
	assert_int_equal(pvm_sim_bbm_check(), 0);

	/* Reused as data: not a table any more, nothing reaches it. */
	wr(l2, 5, 0);
	pvm_port_tlbi_vmid(VMID);
	memset(slot(t, 0), 0x5a, 4096);
	assert_int_equal(pvm_sim_bbm_check(), 0);

	/* Replace l3 by a copy in another page, unlinking l3 with an invalidation (no hint: a
	 * table). */
	wr(l2, 0, 0);
	tlbi(0x1000, PVM_TLBI_LEVEL_ANY);
	for (i = 0; i < 512; i++)
		wr(t, i, *slot(l3, i));
	wr(l2, 0, TABLE(t));
	assert_int_equal(pvm_sim_bbm_check(), 0);
	/* The old l3 page reused at once under another entry. */
	for (i = 0; i < 4; i++)
		wr(l3, i, PAGE(DATA + 8 * MiB + i * 4096ull, D_RW));
	wr(l2, 7, TABLE(l3));
	assert_int_equal(pvm_sim_bbm_check(), 0);
	assert_int_equal(violations(), 1); /* the collapse with a level hint, above */
}

/*
 * A table unlinked without an invalidation and reused at once: a walk
 * cache may still point at the page, so its new entries replace live ones.
 */
static void test_table_reuse_without_tlbi(void **state)
{
	unsigned i;

	(void)state;
	wr(l2, 0, 0);
	assert_int_equal(pvm_sim_bbm_check(), 0);
	for (i = 0; i < 4; i++)
		wr(l3, i, PAGE(DATA + 8 * MiB + i * 4096ull, D_RW));
	wr(l2, 3, TABLE(l3));
	assert_int_equal(pvm_sim_bbm_check(), 4);
	/* Reported at the IPA through which the page is reached now. */
	expect_last("level 3");
	expect_last("ipa 0x603000 ");
}

/* The invalidation only observes its path: a TLBI for a leaf leaves the table descriptor. */
static void test_table_break_needs_covering_tlbi(void **state)
{
	(void)state;
	wr(l2, 0, 0);
	tlbi(0x1000, 3); /* the path stops at the invalid level 2 entry */
	wr(l2, 0, BLOCK(DATA + 4 * MiB, D_RW));
	assert_int_equal(pvm_sim_bbm_check(), 1);
	expect_last("table replaced by a leaf");
	expect_last("level 2");
}

static void test_two_regimes(void **state)
{
	uint64_t r2 = carve(2, 2), t2 = carve(1, 1);

	(void)state;
	wr(r2, 0, TABLE(t2));
	wr(t2, 0, BLOCK(DATA, D_RW));
	assert_int_equal(pvm_sim_bbm_watch(VTCR_40, vttbr(r2, OTHER)), PVM_OK);
	assert_int_equal(pvm_sim_bbm_check(), 0);

	/* The invalidation names the other VMID: it does not observe this regime. */
	wr(t2, 0, 0);
	tlbi(0, PVM_TLBI_LEVEL_ANY);
	pvm_port_tlbi_vmid(VMID);
	wr(t2, 0, BLOCK(DATA + 2 * MiB, D_RW));
	assert_int_equal(pvm_sim_bbm_check(), 1);
	expect_last("vmid 6");

	wr(t2, 0, 0);
	pvm_port_tlbi_ipa(OTHER, pvm_ipa(0), 2);
	wr(t2, 0, BLOCK(DATA + 4 * MiB, D_RW));
	assert_int_equal(pvm_sim_bbm_check(), 0);

	pvm_sim_bbm_unwatch(OTHER);
	wr(t2, 0, BLOCK(DATA + 6 * MiB, D_RW));
	assert_int_equal(pvm_sim_bbm_check(), 0);
	wr(l3, 0, PAGE(DATA + 6 * MiB, D_RW));
	assert_int_equal(pvm_sim_bbm_check(), 1);
	expect_last("vmid 5");
}

/* Odd tables do not crash the checker: tables outside RAM, reserved encodings. */
static void test_odd_tables(void **state)
{
	(void)state;
	wr(l2, 4, TABLE(0x2000));     /* outside RAM */
	wr(l2, 5, TABLE(1ull << 40)); /* beyond the PA size */
	wr(root, 2, 0x1ull | D_RW);   /* a 1 GiB block */
	assert_int_equal(pvm_sim_bbm_check(), 0);
	pvm_port_tlbi_vmid(VMID);
	tlbi(5 * 2 * MiB, PVM_TLBI_LEVEL_ANY);
	tlbi(4 * 2 * MiB, PVM_TLBI_LEVEL_ANY);
	assert_int_equal(pvm_sim_bbm_check(), 0);

	/* 0b01 at level 3 is reserved: writing it over a page is a break, not a make. */
	wr(l3, 0, 0x1ull | DATA | D_RW);
	assert_int_equal(pvm_sim_bbm_check(), 0);
	tlbi(0, 3);
	wr(l3, 0, PAGE(DATA + MiB, D_RW));
	assert_int_equal(pvm_sim_bbm_check(), 0);
	assert_int_equal(violations(), 0);

	/*
	 * A table that points back at its own page is reached at two levels;
	 * no sane stage-2 table does that and the checker may report it, but
	 * it must terminate.
	 */
	wr(l2, 6, TABLE(l2));
	(void)pvm_sim_bbm_check();
	pvm_port_tlbi_vmid(VMID);
	tlbi(6 * 2 * MiB + 0x5000, PVM_TLBI_LEVEL_ANY);
	(void)pvm_sim_bbm_check();
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 1 GiB of 4 KiB pages: 262144 leaf descriptors under 512 tables. */
static void test_one_gib_of_pages(void **state)
{
	uint64_t r = carve(2, 2), t2 = carve(1, 1), t3 = carve(512, 1);
	uint64_t *pages = pvm_sim_ram(pvm_pa(t3), 512 * 4096ull);
	uint16_t vmid = 9;
	double t0, t_watch, t_check, t_tlbi;
	unsigned i;

	(void)state;
	assert_non_null(pages);
	wr(r, 3, TABLE(t2));
	for (i = 0; i < 512; i++)
		wr(t2, i, TABLE(t3 + i * 4096ull));
	for (i = 0; i < 512 * 512; i++)
		pages[i] = PAGE(DATA + (i % 4096) * 4096ull, D_RW);

	t0 = now();
	assert_int_equal(pvm_sim_bbm_watch(VTCR_40, vttbr(r, vmid)), PVM_OK);
	t_watch = now() - t0;
	t0 = now();
	assert_int_equal(pvm_sim_bbm_check(), 0);
	t_check = now() - t0;

	/* One remapped page among them is found. */
	pages[123456] = PAGE(DATA + 32 * MiB, D_RW);
	assert_int_equal(pvm_sim_bbm_check(), 1);
	expect_last("vmid 9");
	expect_last("ipa 0xde240000 ");

	/* Unmap everything, one VMID-wide invalidation, map it all elsewhere. */
	for (i = 0; i < 512 * 512; i++)
		pages[i] = 0;
	t0 = now();
	pvm_port_tlbi_vmid(vmid);
	t_tlbi = now() - t0;
	for (i = 0; i < 512 * 512; i++)
		pages[i] = PAGE(DATA + 16 * MiB + (i % 256) * 4096ull, D_RW);
	assert_int_equal(pvm_sim_bbm_check(), 0);
	assert_int_equal(violations(), 1);

	print_message("watch %.3f s, check %.3f s, tlbi_vmid %.3f s for 262144 pages\n", t_watch,
		      t_check, t_tlbi);
	/* Generous bounds (sanitizers, loaded CI machines): these are milliseconds normally. */
	assert_true(t_watch < 10.0 && t_check < 10.0 && t_tlbi < 10.0);
	pvm_sim_bbm_unwatch(vmid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_watch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_make_over_valid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_break_make_without_tlbi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tlbi_after_make, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proper_bbm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tlbi_that_misses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes_allowed_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes_needing_bbm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_replacement_and_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_reuse_without_tlbi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_break_needs_covering_tlbi, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_regimes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odd_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_gib_of_pages, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
