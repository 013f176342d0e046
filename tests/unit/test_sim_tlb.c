/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TLB model: it keeps a translation until the matching invalidation,
 * as hardware may, so that a missing or mis-hinted TLBI in the core shows
 * up as a stale translation in a test.
 *
 * The tables are written by hand: a 40-bit IPA regime starting at level 1
 * (two concatenated root pages), one level 2 and one level 3 table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/port.h>
#include <libpvm/sim.h>

#define MiB (1ull << 20)
#define GiB (1ull << 30)

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (64 * MiB)

/* Stage-2 descriptor bits (Arm ARM, VMSAv8-64). */
#define D_NORMAL	(0xfull << 2)
#define D_R		(1ull << 6)
#define D_W		(1ull << 7)
#define D_ISH		(3ull << 8)
#define D_AF		(1ull << 10)
#define D_RW		(D_NORMAL | D_R | D_W | D_ISH | D_AF)
#define D_RO		(D_NORMAL | D_R | D_ISH | D_AF)
#define TABLE(pa)	((pa) | 0x3ull)
#define BLOCK(pa, attr) ((pa) | 0x1ull | (attr))
#define PAGE(pa, attr)	((pa) | 0x3ull | (attr))

#define VMID  5
#define OTHER 6

/* 40-bit IPA, SL0 = 1 (level 1), 40-bit PS, 16-bit VMID. */
#define VTCR_40 (24ull | 1ull << 6 | 2ull << 16 | 1ull << 19 | 1ull << 31)

static uint64_t root, l2, l3;

static uint64_t carve(uint64_t npages, uint64_t align)
{
	pvm_paddr_t pa;

	assert_int_equal(pvm_sim_carve(npages, align, &pa), PVM_OK);
	return pvm_pa_val(pa);
}

static void wr(uint64_t table, unsigned idx, uint64_t desc)
{
	uint64_t *p = pvm_sim_ram(pvm_pa(table + idx * 8ull), 8);

	assert_non_null(p);
	*p = desc;
}

static uint64_t vttbr(uint16_t vmid)
{
	return root | (uint64_t)vmid << 48;
}

static struct pvm_sim_s2_result xlate_vmid(uint16_t vmid, uint64_t ipa, enum pvm_sim_access a)
{
	struct pvm_sim_s2_result res;

	assert_int_equal(pvm_sim_s2_translate(VTCR_40, vttbr(vmid), ipa, a, &res), PVM_OK);
	return res;
}

static struct pvm_sim_s2_result xlate(uint64_t ipa, enum pvm_sim_access a)
{
	return xlate_vmid(VMID, ipa, a);
}

/* The access must translate to pa, from the TLB or from a walk as said. */
static void expect_pa(uint64_t ipa, uint64_t pa, bool from_tlb)
{
	struct pvm_sim_s2_result res = xlate(ipa, PVM_SIM_READ);

	assert_false(res.fault);
	assert_int_equal(pvm_pa_val(res.pa), pa);
	assert_int_equal(res.from_tlb, from_tlb);
}

static void expect_fault(uint64_t ipa, enum pvm_sim_access a, uint8_t fsc, bool from_tlb)
{
	struct pvm_sim_s2_result res = xlate(ipa, a);

	assert_true(res.fault);
	assert_int_equal(res.fsc, fsc);
	assert_int_equal(res.from_tlb, from_tlb);
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
	wr(root, 1, BLOCK(0x80000000ull, D_RW));
	wr(l2, 0, TABLE(l3));
	wr(l2, 1, BLOCK(0x40400000ull, D_RW));
	/* IPA page i -> PA 0x40000000 + i pages, for all of the first 2 MiB. */
	for (i = 0; i < 512; i++)
		wr(l3, i, PAGE(RAM_BASE + i * 4096ull, D_RW));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pvm_sim_fini();
	return 0;
}

static void test_hit_after_miss(void **state)
{
	struct pvm_sim_stats st;

	(void)state;
	expect_pa(0x1234, RAM_BASE + 0x1234, false);
	expect_pa(0x1234, RAM_BASE + 0x1234, true);
	/* Any address in the cached page hits. */
	expect_pa(0x1ff8, RAM_BASE + 0x1ff8, true);
	expect_pa(0x2000, RAM_BASE + 0x2000, false);
	pvm_sim_get_stats(&st);
	assert_int_equal(st.tlb_hits, 2);
	assert_int_equal(st.tlb_misses, 2);
}

/* The core changed a page without invalidating it: the TLB keeps the old one. */
static void test_stale_until_matching_tlbi(void **state)
{
	(void)state;
	expect_pa(0x1000, RAM_BASE + 0x1000, false);
	wr(l3, 1, PAGE(0x40100000ull, D_RW));
	expect_pa(0x1000, RAM_BASE + 0x1000, true);

	/* A wrong level hint: hardware need not remove the level 3 entry. */
	pvm_port_tlbi_ipa(VMID, pvm_ipa(0x1000), 2);
	expect_pa(0x1000, RAM_BASE + 0x1000, true);
	pvm_port_tlbi_ipa(VMID, pvm_ipa(0x1000), 1);
	expect_pa(0x1000, RAM_BASE + 0x1000, true);
	/* Another VMID, another page. */
	pvm_port_tlbi_ipa(OTHER, pvm_ipa(0x1000), 3);
	expect_pa(0x1000, RAM_BASE + 0x1000, true);
	pvm_port_tlbi_ipa(VMID, pvm_ipa(0x2000), 3);
	expect_pa(0x1000, RAM_BASE + 0x1000, true);
	pvm_port_tlbi_ipa(VMID, pvm_ipa(0x0fff), 3);
	expect_pa(0x1000, RAM_BASE + 0x1000, true);

	/* The right one, at any address inside the page. */
	pvm_port_tlbi_ipa(VMID, pvm_ipa(0x1abc), 3);
	expect_pa(0x1000, 0x40100000ull, false);
	expect_pa(0x1000, 0x40100000ull, true);
}

static void test_level_any(void **state)
{
	(void)state;
	expect_pa(0x5000, RAM_BASE + 0x5000, false);
	expect_pa(0x200000, 0x40400000ull, false);
	wr(l3, 5, PAGE(0x40200000ull, D_RW));
	wr(l2, 1, BLOCK(0x40600000ull, D_RW));
	pvm_port_tlbi_ipa(VMID, pvm_ipa(0x5000), PVM_TLBI_LEVEL_ANY);
	pvm_port_tlbi_ipa(VMID, pvm_ipa(0x3fffff), PVM_TLBI_LEVEL_ANY);
	expect_pa(0x5000, 0x40200000ull, false);
	expect_pa(0x200000, 0x40600000ull, false);
}

static void test_block_entries(void **state)
{
	(void)state;
	/* One 2 MiB entry serves the whole block. */
	expect_pa(0x200000, 0x40400000ull, false);
	expect_pa(0x3ff000, 0x405ff000ull, true);
	expect_pa(1 * GiB + 0x12345678, 0x92345678ull, false);
	expect_pa(2 * GiB - 1, 0xbfffffffull, true);

	wr(l2, 1, BLOCK(0x40600000ull, D_RW));
	wr(root, 1, BLOCK(0xc0000000ull, D_RW));
	/* Hints for the wrong level leave both in place. */
	pvm_port_tlbi_ipa(VMID, pvm_ipa(0x300000), 3);
	pvm_port_tlbi_ipa(VMID, pvm_ipa(1 * GiB), 2);
	expect_pa(0x200000, 0x40400000ull, true);
	expect_pa(1 * GiB, 0x80000000ull, true);
	pvm_port_tlbi_ipa(VMID, pvm_ipa(0x300000), 2);
	pvm_port_tlbi_ipa(VMID, pvm_ipa(1 * GiB + 5 * MiB), 1);
	expect_pa(0x3ff000, 0x407ff000ull, false);
	expect_pa(1 * GiB, 0xc0000000ull, false);
}

/* An unmapped page keeps translating until it is invalidated. */
static void test_unmap_needs_tlbi(void **state)
{
	(void)state;
	expect_pa(0x7000, RAM_BASE + 0x7000, false);
	wr(l3, 7, 0);
	expect_pa(0x7000, RAM_BASE + 0x7000, true);
	pvm_port_tlbi_ipa(VMID, pvm_ipa(0x7000), 3);
	expect_fault(0x7000, PVM_SIM_READ, PVM_FSC_TRANSLATION(3), false);

	/* A whole table unlinked: its leaves stay until a VMID-wide invalidation. */
	expect_pa(0x8000, RAM_BASE + 0x8000, false);
	wr(l2, 0, 0);
	pvm_port_tlbi_ipa(VMID, pvm_ipa(0x8000), 2);
	expect_pa(0x8000, RAM_BASE + 0x8000, true);
	pvm_port_tlbi_vmid(VMID);
	expect_fault(0x8000, PVM_SIM_READ, PVM_FSC_TRANSLATION(2), false);
}

/* The architecture does not let faulting walks be cached. */
static void test_faults_not_cached(void **state)
{
	(void)state;
	wr(l3, 9, 0);
	expect_fault(0x9000, PVM_SIM_READ, PVM_FSC_TRANSLATION(3), false);
	wr(l3, 9, PAGE(0x40300000ull, D_RW));
	expect_pa(0x9000, 0x40300000ull, false);

	wr(l3, 10, PAGE(0x40301000ull, D_RW & ~D_AF));
	expect_fault(0xa000, PVM_SIM_READ, PVM_FSC_ACCESS_FLAG(3), false);
	wr(l3, 10, PAGE(0x40301000ull, D_RW));
	expect_pa(0xa000, 0x40301000ull, false);

	wr(l3, 11, PAGE(1ull << 40, D_RW));
	expect_fault(0xb000, PVM_SIM_READ, PVM_FSC_ADDR_SIZE(3), false);
	wr(l3, 11, PAGE(0x40302000ull, D_RW));
	expect_pa(0xb000, 0x40302000ull, false);

	/* Nor is an IPA beyond the input size. */
	expect_fault(1ull << 40, PVM_SIM_READ, PVM_FSC_TRANSLATION(0), false);
}

/* Permissions are checked on the cached entry: a relaxed permission needs a TLBI too. */
static void test_permissions_from_cache(void **state)
{
	(void)state;
	wr(l3, 12, PAGE(0x4000c000ull, D_RO));
	expect_pa(0xc000, 0x4000c000ull, false);
	expect_fault(0xc000, PVM_SIM_WRITE, PVM_FSC_PERMISSION(3), true);

	wr(l3, 12, PAGE(0x4000c000ull, D_RW));
	expect_fault(0xc000, PVM_SIM_WRITE, PVM_FSC_PERMISSION(3), true);
	pvm_port_tlbi_ipa(VMID, pvm_ipa(0xc000), 3);
	assert_false(xlate(0xc000, PVM_SIM_WRITE).fault);

	/* A permission-faulting first access still caches the leaf. */
	wr(l3, 13, PAGE(0x4000d000ull, D_RO));
	expect_fault(0xd000, PVM_SIM_WRITE, PVM_FSC_PERMISSION(3), false);
	expect_pa(0xd000, 0x4000d000ull, true);
}

static void test_tlbi_vmid(void **state)
{
	(void)state;
	assert_false(xlate_vmid(VMID, 0x1000, PVM_SIM_READ).from_tlb);
	assert_false(xlate_vmid(VMID, 0x200000, PVM_SIM_READ).from_tlb);
	assert_false(xlate_vmid(OTHER, 0x1000, PVM_SIM_READ).from_tlb);
	/* The same tables under two VMIDs: two sets of entries. */
	assert_true(xlate_vmid(VMID, 0x1000, PVM_SIM_READ).from_tlb);
	assert_true(xlate_vmid(OTHER, 0x1000, PVM_SIM_READ).from_tlb);

	pvm_port_tlbi_vmid(VMID);
	assert_false(xlate_vmid(VMID, 0x1000, PVM_SIM_READ).from_tlb);
	assert_false(xlate_vmid(VMID, 0x200000, PVM_SIM_READ).from_tlb);
	assert_true(xlate_vmid(OTHER, 0x1000, PVM_SIM_READ).from_tlb);
}

/* With 8-bit VMIDs (VTCR_EL2.VS = 0) only VTTBR_EL2[55:48] tag the entries. */
static void test_8bit_vmid(void **state)
{
	uint64_t vt = VTCR_40 & ~(1ull << 19);
	struct pvm_sim_s2_result res;

	(void)state;
	assert_int_equal(
		pvm_sim_s2_translate(vt, root | 0x1205ull << 48, 0x1000, PVM_SIM_READ, &res),
		PVM_OK);
	assert_false(res.from_tlb);
	assert_int_equal(
		pvm_sim_s2_translate(vt, root | 0x3405ull << 48, 0x1000, PVM_SIM_READ, &res),
		PVM_OK);
	assert_true(res.from_tlb);
	pvm_port_tlbi_vmid(0x05);
	assert_int_equal(
		pvm_sim_s2_translate(vt, root | 0x1205ull << 48, 0x1000, PVM_SIM_READ, &res),
		PVM_OK);
	assert_false(res.from_tlb);
}

static void test_model_off(void **state)
{
	struct pvm_sim_stats st;

	(void)state;
	expect_pa(0x1000, RAM_BASE + 0x1000, false);
	pvm_sim_tlb_enable(false);
	pvm_sim_reset_stats();
	expect_pa(0x1000, RAM_BASE + 0x1000, false);
	expect_pa(0x1000, RAM_BASE + 0x1000, false);
	wr(l3, 1, PAGE(0x40100000ull, D_RW));
	expect_pa(0x1000, 0x40100000ull, false);
	pvm_sim_get_stats(&st);
	assert_int_equal(st.tlb_hits, 0);
	assert_int_equal(st.tlb_misses, 3);

	/* Switching back starts from an empty TLB. */
	pvm_sim_tlb_enable(true);
	expect_pa(0x1000, 0x40100000ull, false);
	expect_pa(0x1000, 0x40100000ull, true);
	/* Switching drops every entry, even to the same state. */
	wr(l3, 1, PAGE(RAM_BASE + 0x1000, D_RW));
	pvm_sim_tlb_enable(true);
	expect_pa(0x1000, RAM_BASE + 0x1000, false);
}

static void test_reset(void **state)
{
	(void)state;
	expect_pa(0x1000, RAM_BASE + 0x1000, false);
	wr(l3, 1, PAGE(0x40100000ull, D_RW));
	pvm_sim_tlb_reset();
	expect_pa(0x1000, 0x40100000ull, false);
	expect_pa(0x1000, 0x40100000ull, true);
}

/* A full TLB replaces its oldest entries (round-robin over 256). */
static void test_capacity(void **state)
{
	uint64_t i;

	(void)state;
	for (i = 0; i < 300; i++)
		expect_pa(i * 4096, RAM_BASE + i * 4096, false);
	expect_pa(299 * 4096, RAM_BASE + 299 * 4096, true);
	expect_pa(100 * 4096, RAM_BASE + 100 * 4096, true);
	expect_pa(0, RAM_BASE, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hit_after_miss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_until_matching_tlbi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_any, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_needs_tlbi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faults_not_cached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions_from_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tlbi_vmid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_8bit_vmid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capacity, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
