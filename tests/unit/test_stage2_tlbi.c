/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The invalidations the stage-2 engine issues: none when invalid entries
 * become valid, one per changed leaf for small ranges, one VMID-wide
 * invalidation instead of many for large ranges, and the
 * break-before-make sequence when a block is split. Each row is
 * (operation → exact per-IPA and VMID-wide invalidation counts).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/sim.h>
#include <libpvm/stage2.h>

#include <stdlib.h>

#define MiB  (1ull << 20)
#define GiB  (1ull << 30)
#define PAGE 4096ull

static struct pvm_stage2 s2;
static struct pvm_pool pool;

static int setup(void **state)
{
	struct pvm_sim_config mc = {.ram_base = PVM_SIM_RAM_BASE_DEFAULT, .ram_size = 64 * MiB};
	struct pvm_stage2_config cfg = {.ipa_bits = 40, .pa_bits = 40, .vmid = 9};
	pvm_paddr_t root, pages;

	(void)state;
	assert_int_equal(pvm_sim_init(&mc), PVM_OK);
	assert_int_equal(pvm_sim_carve(2, 2, &root), PVM_OK);
	assert_int_equal(pvm_sim_carve(1024, 1, &pages), PVM_OK);
	pvm_pool_init(&pool);
	assert_int_equal(pvm_pool_donate(&pool, pages, 1024), PVM_OK);
	assert_int_equal(pvm_stage2_init(&s2, &cfg, root, &pool), PVM_OK);
	assert_int_equal(pvm_sim_bbm_watch(pvm_stage2_vtcr(&s2), pvm_stage2_vttbr(&s2)), PVM_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pvm_sim_fini();
	return 0;
}

static void expect_tlbi(uint64_t ipa, uint64_t vmid)
{
	struct pvm_sim_stats st;

	pvm_sim_get_stats(&st);
	assert_int_equal(st.tlbi_ipa, ipa);
	assert_int_equal(st.tlbi_vmid, vmid);
	assert_int_equal(pvm_sim_bbm_check(), 0);
	pvm_sim_reset_stats();
}

static void map(uint64_t ipa, uint64_t size, uint32_t flags)
{
	assert_int_equal(pvm_stage2_map(&s2, pvm_ipa(ipa), pvm_pa(ipa + GiB), size, PVM_PROT_RW,
					flags, NULL),
			 PVM_OK);
}

static void test_map_needs_no_invalidation(void **state)
{
	(void)state;
	pvm_sim_reset_stats();
	map(0x40000000, GiB, PVM_S2_MAP_PAGES);
	map(0x80000000, GiB, 0);
	map(0x100000, 3 * PAGE, 0);
	expect_tlbi(0, 0);
}

static void test_small_unmap_per_page(void **state)
{
	(void)state;
	map(0x40000000, 128 * PAGE, PVM_S2_MAP_PAGES);
	pvm_sim_reset_stats();
	assert_int_equal(pvm_stage2_unmap(&s2, pvm_ipa(0x40000000), PAGE, NULL), PVM_OK);
	expect_tlbi(1, 0);
	assert_int_equal(pvm_stage2_unmap(&s2, pvm_ipa(0x40001000), 16 * PAGE, NULL), PVM_OK);
	expect_tlbi(16, 0);
	/* Past 32 invalidations the rest is one VMID-wide invalidation. */
	assert_int_equal(pvm_stage2_unmap(&s2, pvm_ipa(0x40011000), 64 * PAGE, NULL), PVM_OK);
	expect_tlbi(32, 1);
	/* A whole table in the range goes at once, after one VMID-wide invalidation. */
	assert_int_equal(pvm_stage2_unmap(&s2, pvm_ipa(0x40000000), 2 * MiB, NULL), PVM_OK);
	expect_tlbi(0, 1);
	assert_int_equal(s2.table_pages, 0);
}

static void test_large_unmap_one_vmid_flush(void **state)
{
	(void)state;
	map(0x40000000, GiB, PVM_S2_MAP_PAGES);
	assert_int_equal(s2.table_pages, 513);
	pvm_sim_reset_stats();
	/* Whole tables go at once: no per-page work, one VMID-wide invalidation. */
	assert_int_equal(pvm_stage2_unmap(&s2, pvm_ipa(0x40000000), GiB, NULL), PVM_OK);
	expect_tlbi(0, 1);
	assert_int_equal(s2.table_pages, 0);
	assert_int_equal(pvm_pool_free_pages(&pool), 1024);
}

static void test_large_protect_one_vmid_flush(void **state)
{
	(void)state;
	map(0x40000000, 8 * MiB, PVM_S2_MAP_PAGES);
	pvm_sim_reset_stats();
	assert_int_equal(pvm_stage2_protect(&s2, pvm_ipa(0x40000000), 8 * MiB, PVM_PROT_R, NULL),
			 PVM_OK);
	expect_tlbi(32, 1);
	/* Nothing to change: nothing to invalidate. */
	assert_int_equal(pvm_stage2_protect(&s2, pvm_ipa(0x40000000), 8 * MiB, PVM_PROT_R, NULL),
			 PVM_OK);
	expect_tlbi(0, 0);
	/* Software bits alone: the walker ignores them, so no TLB entry is stale. */
	assert_int_equal(pvm_stage2_protect(&s2, pvm_ipa(0x40000000), 8 * MiB,
					    PVM_PROT_R | PVM_PROT_SW(5), NULL),
			 PVM_OK);
	expect_tlbi(0, 0);
}

static void test_split_is_break_before_make(void **state)
{
	struct pvm_sim_s2_result r;
	uint64_t vtcr = pvm_stage2_vtcr(&s2), vttbr = pvm_stage2_vttbr(&s2);

	(void)state;
	map(0x80000000, 4 * MiB, 0); /* two 2 MiB blocks */
	/* Put the block in the TLB model. */
	assert_int_equal(pvm_sim_s2_translate(vtcr, vttbr, 0x80201000, PVM_SIM_WRITE, &r), PVM_OK);
	assert_false(r.fault);
	assert_int_equal(r.level, 2);
	pvm_sim_reset_stats();

	/* One page read-only: break the block (1), then the page's own change (1). */
	assert_int_equal(pvm_stage2_protect(&s2, pvm_ipa(0x80201000), PAGE, PVM_PROT_R, NULL),
			 PVM_OK);
	expect_tlbi(2, 0);
	assert_int_equal(pvm_sim_s2_translate(vtcr, vttbr, 0x80201000, PVM_SIM_WRITE, &r), PVM_OK);
	assert_true(r.fault);
	assert_int_equal(r.fsc, PVM_FSC_PERMISSION(3));
	assert_int_equal(pvm_sim_s2_translate(vtcr, vttbr, 0x80202000, PVM_SIM_WRITE, &r), PVM_OK);
	assert_false(r.fault);
	assert_int_equal(r.level, 3);
	assert_int_equal(pvm_pa_val(r.pa), 0x80202000 + GiB);

	/*
	 * Unmapping a page of the other block: break the block (1), then the
	 * new page entry, which another CPU may already have walked (1).
	 */
	assert_int_equal(pvm_stage2_unmap(&s2, pvm_ipa(0x80000000), PAGE, NULL), PVM_OK);
	expect_tlbi(2, 0);
	assert_int_equal(pvm_sim_s2_translate(vtcr, vttbr, 0x80000000, PVM_SIM_READ, &r), PVM_OK);
	assert_true(r.fault);
	assert_int_equal(r.fsc, PVM_FSC_TRANSLATION(3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_map_needs_no_invalidation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_unmap_per_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_unmap_one_vmid_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_protect_one_vmid_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_is_break_before_make, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
