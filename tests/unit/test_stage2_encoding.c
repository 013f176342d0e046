/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Table-driven checks of the stage-2 engine's architectural encodings.
 *
 * Every expected value below was worked out by hand from the ARM
 * Architecture Reference Manual (VMSAv8-64 stage-2 translation, 4 KiB
 * granule), not from src/stage2.c, so that this file is an independent
 * check of the implementation:
 *
 * - VTCR_EL2: T0SZ[5:0], SL0[7:6], IRGN0[9:8], ORGN0[11:10], SH0[13:12],
 *   TG0[15:14] (0b00 = 4 KiB), PS[18:16], VS[19], bit 31 RES1.
 *   SL0 with a 4 KiB granule: 0b00 = level 2, 0b01 = level 1, 0b10 = level 0.
 *   PS: 0b000 32, 0b001 36, 0b010 40, 0b011 42, 0b100 44, 0b101 48 bits.
 * - VTTBR_EL2: BADDR[47:1] (root address), VMID[63:48] when VTCR_EL2.VS = 1.
 * - Level n of a 4 KiB walk resolves IPA bits [12 + 9 * (4 - n) - 1 : 12 + 9 * (3 - n)]:
 *   level 0 [47:39], level 1 [38:30], level 2 [29:21], level 3 [20:12].
 *   A root may be up to 16 concatenated tables (4 more bits), which is
 *   AArch64.S2InconsistentSL(): the IPA size must lie in
 *   [levels * 9 + 12 + 1, that + 8 + 4] where levels = 3 - start level.
 * - Block/page descriptor: bits[1:0] 0b01 block (levels 1-2) / 0b11 page
 *   (level 3); MemAttr[5:2] (0b1111 Normal outer+inner WB, 0b0001
 *   Device-nGnRE when HCR_EL2.FWB = 0); S2AP[7:6] (bit 6 read, bit 7 write);
 *   SH[9:8]; AF[10]; OA[47:12] (47:21 for 2 MiB, 47:30 for 1 GiB blocks);
 *   XN[1:0] at [54:53] (0b10: not executable at EL1 or EL0); software [58:55].
 * - Table descriptor: bits[1:0] 0b11, next-level table address [47:12],
 *   bits 11:2 and 58:51 IGNORED, but FEAT_LPA2 takes 9:8 (address bits
 *   51:50) and FEAT_HAFT bit 10: libpvm keeps the child's non-empty entry
 *   count in 7:2 (its bits 5:0) and 58:55 (its bits 9:6), bits 11:8 and
 *   54:48 stay clear.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <libpvm/pool.h>
#include <libpvm/port.h>
#include <libpvm/sim.h>
#include <libpvm/stage2.h>
#include <libpvm/types.h>

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

#define SIM_RAM_SIZE MiB(64)

/* Descriptor fields, by hand from the VMSAv8-64 stage-2 descriptor layout. */
#define D_VALID	  0x1ull		/* bit 0 */
#define D_TYPE	  0x3ull		/* bits[1:0]: 0b11 table/page, 0b01 block */
#define D_OA_MASK 0x0000fffffffff000ull /* bits 47:12 */
#define D_HI_MASK 0xffff000000000000ull /* bits 63:48 */
/* IGNORED bits 7:2 and 58:55 of a table descriptor */
#define D_COUNT(d) ((unsigned)(((d) >> 2) & 0x3fu) | (unsigned)(((d) >> 55) & 0xfu) << 6)
#define D_OWNER(d) ((unsigned)(((d) >> 2) & 0xffu)) /* bits 9:2 of an invalid descriptor */

/* ------------------------------------------------------------------------- */
/* Simulator helpers                                                          */
/* ------------------------------------------------------------------------- */

static void sim_up(void)
{
	const struct pvm_sim_config cfg = {
		.ram_base = PVM_SIM_RAM_BASE_DEFAULT,
		.ram_size = SIM_RAM_SIZE,
	};

	assert_int_equal(pvm_sim_init(&cfg), PVM_OK);
}

static pvm_paddr_t carve(uint64_t npages, uint64_t align_pages)
{
	pvm_paddr_t pa = pvm_pa(0);

	assert_int_equal(pvm_sim_carve(npages, align_pages, &pa), PVM_OK);
	assert_int_equal(pvm_pa_val(pa) & (align_pages * PVM_PAGE_SIZE - 1), 0);
	return pa;
}

/* Host pointer to the @p entries descriptors of the table at @p table_pa. */
static uint64_t *table_at(uint64_t table_pa, uint64_t entries)
{
	void *p = pvm_sim_ram(pvm_pa(table_pa), entries * sizeof(uint64_t));

	assert_non_null(p);
	return p;
}

/* Lowest IPA bit a level resolves: 39, 30, 21, 12 for levels 0-3. */
static unsigned level_shift(unsigned level)
{
	return PVM_PAGE_SHIFT + 9 * (3 - level);
}

static unsigned count_nonzero(const uint64_t *table)
{
	unsigned n = 0;

	for (unsigned i = 0; i < PVM_S2_PTRS_PER_TABLE; i++) {
		n += table[i] != 0;
	}
	return n;
}

/* ------------------------------------------------------------------------- */
/* 1. Start level and concatenated root pages                                */
/* ------------------------------------------------------------------------- */

struct geometry {
	unsigned ipa_bits;
	int level;	/* -1: invalid */
	unsigned pages; /* 0: invalid */
};

/*
 * Fewest levels such that the root resolves at most 9 + 4 bits:
 *   start level 2: root resolves IPA[ipa-1:21] = ipa - 21 bits <= 13 -> ipa <= 34
 *   start level 1: root resolves IPA[ipa-1:30] = ipa - 30 bits <= 13 -> ipa <= 43
 *   start level 0: root resolves IPA[ipa-1:39] = ipa - 39 bits <= 13 (48 max)
 * Pages = 2^max(0, (ipa - shift(level)) - 9).
 */
static const struct geometry geometry[] = {
	{31, -1, 0}, /* below PVM_S2_IPA_BITS_MIN */
	{32, 2, 4},  /* L2 root: 32 - 21 = 11 bits = 9 + 2 -> 2^2 = 4 pages */
	{33, 2, 8},  /* 33 - 21 = 12 = 9 + 3 -> 8 pages */
	{34, 2, 16}, /* 34 - 21 = 13 = 9 + 4 -> 16 pages (SL0 maximum) */
	{35, 1, 1},  /* L2 would need 2^5 = 32 pages; L1: 35 - 30 = 5 bits <= 9 -> 1 page */
	{36, 1, 1},  /* 36 - 30 = 6 bits (64 entries) */
	{37, 1, 1},  /* 7 bits */
	{38, 1, 1},  /* 8 bits */
	{39, 1, 1},  /* 9 bits: one full table */
	{40, 1, 2},  /* 40 - 30 = 10 = 9 + 1 -> 2 pages */
	{41, 1, 4},  /* 9 + 2 -> 4 pages */
	{42, 1, 8},  /* 9 + 3 -> 8 pages */
	{43, 1, 16}, /* 9 + 4 -> 16 pages */
	{44, 0, 1},  /* L1 would need 32 pages; L0: 44 - 39 = 5 bits -> 1 page */
	{45, 0, 1},  /* 6 bits */
	{46, 0, 1},  /* 7 bits */
	{47, 0, 1},  /* 8 bits */
	{48, 0, 1},  /* 9 bits: one full table */
	{49, -1, 0}, /* above PVM_S2_IPA_BITS_MAX (52 needs FEAT_LPA2) */
	{0, -1, 0},  {64, -1, 0}, {UINT_MAX, -1, 0},
};

static const struct geometry *geometry_of(unsigned ipa_bits)
{
	for (size_t i = 0; i < sizeof(geometry) / sizeof(geometry[0]); i++) {
		if (geometry[i].ipa_bits == ipa_bits) {
			return &geometry[i];
		}
	}
	fail_msg("no geometry row for %u bits", ipa_bits);
	return NULL;
}

static void test_geometry(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(geometry) / sizeof(geometry[0]); i++) {
		const struct geometry *g = &geometry[i];

		print_message("ipa_bits %u: want level %d, %u pages\n", g->ipa_bits, g->level,
			      g->pages);
		assert_int_equal(pvm_stage2_start_level(g->ipa_bits), g->level);
		assert_int_equal(pvm_stage2_root_pages(g->ipa_bits), g->pages);
		if (g->level < 0) {
			continue;
		}
		/*
		 * Self-check of the table against the architecture's bounds
		 * (AArch64.S2InconsistentSL, 4 KiB: stride 9, granule 12 bits).
		 */
		unsigned levels = 3 - (unsigned)g->level;
		unsigned min = levels * 9 + 12 + 1;
		unsigned max = min + 8 + 4;

		assert_in_range(g->ipa_bits, min, max);
		if (g->level < 2) {
			/* One level fewer would not do: the IPA exceeds its maximum. */
			assert_true(g->ipa_bits > max - 9);
		}
		assert_int_equal(g->pages,
				 1u << ((g->ipa_bits - level_shift((unsigned)g->level) > 9)
						? g->ipa_bits - level_shift((unsigned)g->level) - 9
						: 0));
	}
}

/* ------------------------------------------------------------------------- */
/* 2. VTCR_EL2 and VTTBR_EL2                                                 */
/* ------------------------------------------------------------------------- */

/*
 * Fixed fields: IRGN0 0b01 << 8 = 0x100, ORGN0 0b01 << 10 = 0x400,
 * SH0 0b11 << 12 = 0x3000, TG0 0b00, VS 1 << 19 = 0x80000, RES1 1 << 31 =
 * 0x80000000: together 0x80083500.
 */
#define VTCR_FIXED 0x80083500ull

static const struct {
	unsigned ipa_bits, pa_bits;
	uint64_t vtcr;
} vtcr_rows[] = {
	/* T0SZ 64-32 = 0x20, SL0 0b00 (L2), PS 0b000 */
	{32, 32, 0x80083520ull},
	/* T0SZ 0x20, SL0 0, PS 0b010 << 16 = 0x20000 */
	{32, 40, 0x800a3520ull},
	/* T0SZ 30 = 0x1e, SL0 0, PS 0b001 << 16 = 0x10000 */
	{34, 36, 0x8009351eull},
	/* T0SZ 29 = 0x1d, SL0 0b01 << 6 = 0x40 (L1), PS 0x20000 */
	{35, 40, 0x800a355dull},
	/* T0SZ 28 = 0x1c, SL0 0x40, PS 0b011 << 16 = 0x30000 */
	{36, 42, 0x800b355cull},
	/* T0SZ 24 = 0x18, SL0 0x40, PS 0x20000 */
	{40, 40, 0x800a3558ull},
	/* T0SZ 21 = 0x15, SL0 0x40, PS 0b100 << 16 = 0x40000 */
	{43, 44, 0x800c3555ull},
	/* T0SZ 20 = 0x14, SL0 0b10 << 6 = 0x80 (L0), PS 0x40000 */
	{44, 44, 0x800c3594ull},
	/* T0SZ 16 = 0x10, SL0 0x80, PS 0b101 << 16 = 0x50000 */
	{48, 48, 0x800d3590ull},
	/* T0SZ 0x10, SL0 0x80, PS 0x50000 ... and with a 44-bit IPA: T0SZ 20 = 0x14 */
	{44, 48, 0x800d3594ull},
	/* T0SZ 25 = 0x19, SL0 0x40, PS 0x50000 */
	{39, 48, 0x800d3559ull},
};

static const struct {
	unsigned ipa_bits;
	uint64_t root_offset; /* from a 16-page aligned carve */
	uint16_t vmid;
	/* expected: root | vmid << 48 */
} vttbr_rows[] = {
	{32, 0, 0x0001},      {32, KiB(16), 0x1234}, /* 4-page root, 16 KiB aligned */
	{40, KiB(8), 0xffff},			     /* 2-page root, 8 KiB aligned */
	{43, 0, 0x8000},      {48, KiB(60), 0x00ff},
};

static void test_vtcr_vttbr(void **state)
{
	(void)state;
	sim_up();
	pvm_paddr_t root = carve(PVM_S2_ROOT_PAGES_MAX, PVM_S2_ROOT_PAGES_MAX);
	struct pvm_pool pool;

	pvm_pool_init(&pool);
	for (size_t i = 0; i < sizeof(vtcr_rows) / sizeof(vtcr_rows[0]); i++) {
		struct pvm_stage2 s2;
		const struct pvm_stage2_config cfg = {vtcr_rows[i].ipa_bits, vtcr_rows[i].pa_bits,
						      7};

		print_message("vtcr(%u, %u) want %#llx\n", cfg.ipa_bits, cfg.pa_bits,
			      (unsigned long long)vtcr_rows[i].vtcr);
		assert_int_equal(pvm_stage2_init(&s2, &cfg, root, &pool), PVM_OK);
		assert_int_equal(pvm_stage2_vtcr(&s2), vtcr_rows[i].vtcr);
		/* Field-wise, against the constants above. */
		assert_int_equal(pvm_stage2_vtcr(&s2) & ~0x700ffull, VTCR_FIXED);
		pvm_stage2_destroy(&s2);
	}
	for (size_t i = 0; i < sizeof(vttbr_rows) / sizeof(vttbr_rows[0]); i++) {
		struct pvm_stage2 s2;
		const struct pvm_stage2_config cfg = {vttbr_rows[i].ipa_bits, 48,
						      vttbr_rows[i].vmid};
		uint64_t r = pvm_pa_val(root) + vttbr_rows[i].root_offset;
		/* BADDR[47:1] = root (bit 0, CnP, clear), VMID[63:48]. */
		uint64_t want = r | (uint64_t)vttbr_rows[i].vmid << 48;

		assert_int_equal(pvm_stage2_init(&s2, &cfg, pvm_pa(r), &pool), PVM_OK);
		assert_int_equal(pvm_stage2_vttbr(&s2), want);
		pvm_stage2_destroy(&s2);
	}
	pvm_sim_fini();
}

/* pvm_stage2_init(): argument checks, nothing written on error, root zeroed. */
static void test_init_errors(void **state)
{
	(void)state;
	sim_up();
	pvm_paddr_t root = carve(PVM_S2_ROOT_PAGES_MAX, PVM_S2_ROOT_PAGES_MAX);
	uint64_t rootsz = PVM_S2_ROOT_PAGES_MAX * PVM_PAGE_SIZE;
	uint8_t *mem = pvm_sim_ram(root, rootsz);
	struct pvm_pool pool;
	struct pvm_stage2 s2, before;
	static const struct {
		unsigned ipa_bits, pa_bits;
		uint64_t root_offset;
	} bad[] = {
		{31, 40, 0},	   {49, 40, 0}, {0, 40, 0},  {32, 33, 0},      {32, 0, 0},
		{48, 52, 0},	   {40, 41, 0}, {48, 64, 0}, {32, 40, KiB(4)}, /* 4-page root (16
										  KiB) at a 4 KiB
										  offset */
		{32, 40, KiB(8)},  /* ... at an 8 KiB offset */
		{40, 40, KiB(4)},  /* 2-page root (8 KiB) at a 4 KiB offset */
		{34, 40, KiB(32)}, /* 16-page root (64 KiB) at a 32 KiB offset */
		{48, 48, 1},	   /* not page aligned */
	};

	assert_non_null(mem);
	pvm_pool_init(&pool);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct pvm_stage2_config cfg = {bad[i].ipa_bits, bad[i].pa_bits, 1};

		print_message("init(%u, %u, root+%#llx) must fail\n", bad[i].ipa_bits,
			      bad[i].pa_bits, (unsigned long long)bad[i].root_offset);
		memset(mem, 0xa5, rootsz);
		memset(&s2, 0x5a, sizeof(s2));
		memcpy(&before, &s2, sizeof(s2));
		assert_int_equal(pvm_stage2_init(&s2, &cfg,
						 pvm_pa(pvm_pa_val(root) + bad[i].root_offset),
						 &pool),
				 PVM_E_INVAL);
		assert_memory_equal(&s2, &before, sizeof(s2));
		for (uint64_t b = 0; b < rootsz; b++) {
			assert_int_equal(mem[b], 0xa5);
		}
	}

	const struct pvm_stage2_config ok = {32, 40, 1};

	assert_int_equal(pvm_stage2_init(NULL, &ok, root, &pool), PVM_E_INVAL);
	assert_int_equal(pvm_stage2_init(&s2, NULL, root, &pool), PVM_E_INVAL);
	assert_int_equal(pvm_stage2_init(&s2, &ok, root, NULL), PVM_E_INVAL);

	/* Every valid PA size; the 4 root pages are zeroed. */
	static const unsigned pa_ok[] = {32, 36, 40, 42, 44, 48};

	for (size_t i = 0; i < sizeof(pa_ok) / sizeof(pa_ok[0]); i++) {
		const struct pvm_stage2_config cfg = {32, pa_ok[i], 1};

		memset(mem, 0xa5, rootsz);
		assert_int_equal(
			pvm_stage2_init(&s2, &cfg, pvm_pa(pvm_pa_val(root) + KiB(16)), &pool),
			PVM_OK);
		assert_int_equal(s2.table_pages, 0);
		for (uint64_t b = KiB(16); b < KiB(32); b++) {
			assert_int_equal(mem[b], 0);
		}
		/* Only the regime's 4 pages, not the rest of the carve. */
		assert_int_equal(mem[KiB(16) - 1], 0xa5);
		assert_int_equal(mem[KiB(32)], 0xa5);
		pvm_stage2_destroy(&s2);
	}
	pvm_sim_fini();
}

/* ------------------------------------------------------------------------- */
/* 3. Leaf encoding                                                          */
/* ------------------------------------------------------------------------- */

struct leaf_row {
	uint64_t pa;
	pvm_prot_t prot;
	unsigned level;
	uint64_t desc;
};

/*
 * Every R/W/X combination, Normal and Device, at each level. Each comment
 * is bits[1:0] | MemAttr << 2 | S2AP << 6 | SH << 8 | AF << 10, then XN
 * 0b10 << 53 = 0x0040000000000000 when X is absent.
 */
static const struct leaf_row leaf_rows[] = {
	/* L3 pages at PA 0x0000123456789000 */
	/* 0b11 | 0b1111<<2 | 0b00<<6 | 0b11<<8 | 1<<10 = 0x73f, XN 0b10<<53 */
	{0x0000123456789000ull, 0, 3, 0x004012345678973full},
	/* 0b11 | 0b1111<<2 | 0b01<<6 | 0b11<<8 | 1<<10 = 0x77f, XN 0b10<<53 */
	{0x0000123456789000ull, PVM_PROT_R, 3, 0x004012345678977full},
	/* 0b11 | 0b1111<<2 | 0b10<<6 | 0b11<<8 | 1<<10 = 0x7bf, XN 0b10<<53 */
	{0x0000123456789000ull, PVM_PROT_W, 3, 0x00401234567897bfull},
	/* 0b11 | 0b1111<<2 | 0b11<<6 | 0b11<<8 | 1<<10 = 0x7ff, XN 0b10<<53 */
	{0x0000123456789000ull, PVM_PROT_R | PVM_PROT_W, 3, 0x00401234567897ffull},
	/* 0b11 | 0b1111<<2 | 0b00<<6 | 0b11<<8 | 1<<10 = 0x73f */
	{0x0000123456789000ull, PVM_PROT_X, 3, 0x000012345678973full},
	/* 0b11 | 0b1111<<2 | 0b01<<6 | 0b11<<8 | 1<<10 = 0x77f */
	{0x0000123456789000ull, PVM_PROT_R | PVM_PROT_X, 3, 0x000012345678977full},
	/* 0b11 | 0b1111<<2 | 0b10<<6 | 0b11<<8 | 1<<10 = 0x7bf */
	{0x0000123456789000ull, PVM_PROT_W | PVM_PROT_X, 3, 0x00001234567897bfull},
	/* 0b11 | 0b1111<<2 | 0b11<<6 | 0b11<<8 | 1<<10 = 0x7ff */
	{0x0000123456789000ull, PVM_PROT_R | PVM_PROT_W | PVM_PROT_X, 3, 0x00001234567897ffull},
	/* 0b11 | 0b0001<<2 | 0b00<<6 | 0b11<<8 | 1<<10 = 0x707, XN 0b10<<53 */
	{0x0000123456789000ull, PVM_PROT_DEVICE, 3, 0x0040123456789707ull},
	/* 0b11 | 0b0001<<2 | 0b01<<6 | 0b11<<8 | 1<<10 = 0x747, XN 0b10<<53 */
	{0x0000123456789000ull, PVM_PROT_R | PVM_PROT_DEVICE, 3, 0x0040123456789747ull},
	/* 0b11 | 0b0001<<2 | 0b10<<6 | 0b11<<8 | 1<<10 = 0x787, XN 0b10<<53 */
	{0x0000123456789000ull, PVM_PROT_W | PVM_PROT_DEVICE, 3, 0x0040123456789787ull},
	/* 0b11 | 0b0001<<2 | 0b11<<6 | 0b11<<8 | 1<<10 = 0x7c7, XN 0b10<<53 */
	{0x0000123456789000ull, PVM_PROT_R | PVM_PROT_W | PVM_PROT_DEVICE, 3,
	 0x00401234567897c7ull},
	/* refused: Device memory is never executable (speculative fetches must not reach devices)
	 */
	{0x0000123456789000ull, PVM_PROT_X | PVM_PROT_DEVICE, 3, 0},
	/* refused: Device memory is never executable (speculative fetches must not reach devices)
	 */
	{0x0000123456789000ull, PVM_PROT_R | PVM_PROT_X | PVM_PROT_DEVICE, 3, 0},
	/* refused: Device memory is never executable (speculative fetches must not reach devices)
	 */
	{0x0000123456789000ull, PVM_PROT_W | PVM_PROT_X | PVM_PROT_DEVICE, 3, 0},
	/* refused: Device memory is never executable (speculative fetches must not reach devices)
	 */
	{0x0000123456789000ull, PVM_PROT_R | PVM_PROT_W | PVM_PROT_X | PVM_PROT_DEVICE, 3, 0},
	/* L2 blocks at PA 0x0000876543200000 */
	/* 0b01 | 0b1111<<2 | 0b00<<6 | 0b11<<8 | 1<<10 = 0x73d, XN 0b10<<53 */
	{0x0000876543200000ull, 0, 2, 0x004087654320073dull},
	/* 0b01 | 0b1111<<2 | 0b01<<6 | 0b11<<8 | 1<<10 = 0x77d, XN 0b10<<53 */
	{0x0000876543200000ull, PVM_PROT_R, 2, 0x004087654320077dull},
	/* 0b01 | 0b1111<<2 | 0b10<<6 | 0b11<<8 | 1<<10 = 0x7bd, XN 0b10<<53 */
	{0x0000876543200000ull, PVM_PROT_W, 2, 0x00408765432007bdull},
	/* 0b01 | 0b1111<<2 | 0b11<<6 | 0b11<<8 | 1<<10 = 0x7fd, XN 0b10<<53 */
	{0x0000876543200000ull, PVM_PROT_R | PVM_PROT_W, 2, 0x00408765432007fdull},
	/* 0b01 | 0b1111<<2 | 0b00<<6 | 0b11<<8 | 1<<10 = 0x73d */
	{0x0000876543200000ull, PVM_PROT_X, 2, 0x000087654320073dull},
	/* 0b01 | 0b1111<<2 | 0b01<<6 | 0b11<<8 | 1<<10 = 0x77d */
	{0x0000876543200000ull, PVM_PROT_R | PVM_PROT_X, 2, 0x000087654320077dull},
	/* 0b01 | 0b1111<<2 | 0b10<<6 | 0b11<<8 | 1<<10 = 0x7bd */
	{0x0000876543200000ull, PVM_PROT_W | PVM_PROT_X, 2, 0x00008765432007bdull},
	/* 0b01 | 0b1111<<2 | 0b11<<6 | 0b11<<8 | 1<<10 = 0x7fd */
	{0x0000876543200000ull, PVM_PROT_R | PVM_PROT_W | PVM_PROT_X, 2, 0x00008765432007fdull},
	/* 0b01 | 0b0001<<2 | 0b00<<6 | 0b11<<8 | 1<<10 = 0x705, XN 0b10<<53 */
	{0x0000876543200000ull, PVM_PROT_DEVICE, 2, 0x0040876543200705ull},
	/* 0b01 | 0b0001<<2 | 0b01<<6 | 0b11<<8 | 1<<10 = 0x745, XN 0b10<<53 */
	{0x0000876543200000ull, PVM_PROT_R | PVM_PROT_DEVICE, 2, 0x0040876543200745ull},
	/* 0b01 | 0b0001<<2 | 0b10<<6 | 0b11<<8 | 1<<10 = 0x785, XN 0b10<<53 */
	{0x0000876543200000ull, PVM_PROT_W | PVM_PROT_DEVICE, 2, 0x0040876543200785ull},
	/* 0b01 | 0b0001<<2 | 0b11<<6 | 0b11<<8 | 1<<10 = 0x7c5, XN 0b10<<53 */
	{0x0000876543200000ull, PVM_PROT_R | PVM_PROT_W | PVM_PROT_DEVICE, 2,
	 0x00408765432007c5ull},
	/* refused: Device memory is never executable (speculative fetches must not reach devices)
	 */
	{0x0000876543200000ull, PVM_PROT_X | PVM_PROT_DEVICE, 2, 0},
	/* refused: Device memory is never executable (speculative fetches must not reach devices)
	 */
	{0x0000876543200000ull, PVM_PROT_R | PVM_PROT_X | PVM_PROT_DEVICE, 2, 0},
	/* refused: Device memory is never executable (speculative fetches must not reach devices)
	 */
	{0x0000876543200000ull, PVM_PROT_W | PVM_PROT_X | PVM_PROT_DEVICE, 2, 0},
	/* refused: Device memory is never executable (speculative fetches must not reach devices)
	 */
	{0x0000876543200000ull, PVM_PROT_R | PVM_PROT_W | PVM_PROT_X | PVM_PROT_DEVICE, 2, 0},
	/* L1 blocks at PA 0x0000abcdc0000000 */
	/* 0b01 | 0b1111<<2 | 0b00<<6 | 0b11<<8 | 1<<10 = 0x73d, XN 0b10<<53 */
	{0x0000abcdc0000000ull, 0, 1, 0x0040abcdc000073dull},
	/* 0b01 | 0b1111<<2 | 0b01<<6 | 0b11<<8 | 1<<10 = 0x77d, XN 0b10<<53 */
	{0x0000abcdc0000000ull, PVM_PROT_R, 1, 0x0040abcdc000077dull},
	/* 0b01 | 0b1111<<2 | 0b10<<6 | 0b11<<8 | 1<<10 = 0x7bd, XN 0b10<<53 */
	{0x0000abcdc0000000ull, PVM_PROT_W, 1, 0x0040abcdc00007bdull},
	/* 0b01 | 0b1111<<2 | 0b11<<6 | 0b11<<8 | 1<<10 = 0x7fd, XN 0b10<<53 */
	{0x0000abcdc0000000ull, PVM_PROT_R | PVM_PROT_W, 1, 0x0040abcdc00007fdull},
	/* 0b01 | 0b1111<<2 | 0b00<<6 | 0b11<<8 | 1<<10 = 0x73d */
	{0x0000abcdc0000000ull, PVM_PROT_X, 1, 0x0000abcdc000073dull},
	/* 0b01 | 0b1111<<2 | 0b01<<6 | 0b11<<8 | 1<<10 = 0x77d */
	{0x0000abcdc0000000ull, PVM_PROT_R | PVM_PROT_X, 1, 0x0000abcdc000077dull},
	/* 0b01 | 0b1111<<2 | 0b10<<6 | 0b11<<8 | 1<<10 = 0x7bd */
	{0x0000abcdc0000000ull, PVM_PROT_W | PVM_PROT_X, 1, 0x0000abcdc00007bdull},
	/* 0b01 | 0b1111<<2 | 0b11<<6 | 0b11<<8 | 1<<10 = 0x7fd */
	{0x0000abcdc0000000ull, PVM_PROT_R | PVM_PROT_W | PVM_PROT_X, 1, 0x0000abcdc00007fdull},
	/* 0b01 | 0b0001<<2 | 0b00<<6 | 0b11<<8 | 1<<10 = 0x705, XN 0b10<<53 */
	{0x0000abcdc0000000ull, PVM_PROT_DEVICE, 1, 0x0040abcdc0000705ull},
	/* 0b01 | 0b0001<<2 | 0b01<<6 | 0b11<<8 | 1<<10 = 0x745, XN 0b10<<53 */
	{0x0000abcdc0000000ull, PVM_PROT_R | PVM_PROT_DEVICE, 1, 0x0040abcdc0000745ull},
	/* 0b01 | 0b0001<<2 | 0b10<<6 | 0b11<<8 | 1<<10 = 0x785, XN 0b10<<53 */
	{0x0000abcdc0000000ull, PVM_PROT_W | PVM_PROT_DEVICE, 1, 0x0040abcdc0000785ull},
	/* 0b01 | 0b0001<<2 | 0b11<<6 | 0b11<<8 | 1<<10 = 0x7c5, XN 0b10<<53 */
	{0x0000abcdc0000000ull, PVM_PROT_R | PVM_PROT_W | PVM_PROT_DEVICE, 1,
	 0x0040abcdc00007c5ull},
	/* refused: Device memory is never executable (speculative fetches must not reach devices)
	 */
	{0x0000abcdc0000000ull, PVM_PROT_X | PVM_PROT_DEVICE, 1, 0},
	/* refused: Device memory is never executable (speculative fetches must not reach devices)
	 */
	{0x0000abcdc0000000ull, PVM_PROT_R | PVM_PROT_X | PVM_PROT_DEVICE, 1, 0},
	/* refused: Device memory is never executable (speculative fetches must not reach devices)
	 */
	{0x0000abcdc0000000ull, PVM_PROT_W | PVM_PROT_X | PVM_PROT_DEVICE, 1, 0},
	/* refused: Device memory is never executable (speculative fetches must not reach devices)
	 */
	{0x0000abcdc0000000ull, PVM_PROT_R | PVM_PROT_W | PVM_PROT_X | PVM_PROT_DEVICE, 1, 0},
	/* Software bits [58:55] = PVM_PROT_SW(v) << 55, v in 1..15 */
	/* page RW: 0x7ff, XN 0x0040..., SW 1 << 55 = 0x0080... */
	{0x0000123456789000ull, PVM_PROT_RW | PVM_PROT_SW(1), 3, 0x00c01234567897ffull},
	/* page R-X: 0x77f, SW 8 << 55 = 1 << 58 = 0x0400... */
	{0x0000123456789000ull, PVM_PROT_R | PVM_PROT_X | PVM_PROT_SW(8), 3, 0x040012345678977full},
	/* L2 block RWX: 0b01 | 0x3c | 0xc0 | 0x300 | 0x400 = 0x7fd, SW 0xf << 55 = 0x0780... */
	{0x0000876543200000ull, PVM_PROT_RWX | PVM_PROT_SW(0xf), 2, 0x07808765432007fdull},
	/* L1 block Device R: 0b01 | 0b0001 << 2 | 0x40 | 0x700 = 0x745, XN, SW 0xa << 55 =
	   0x0500... */
	{0x0000abcdc0000000ull, PVM_PROT_DEVICE | PVM_PROT_R | PVM_PROT_SW(0xa), 1,
	 0x0540abcdc0000745ull},
	/* refused: Device memory is never executable (speculative fetches must not reach devices)
	 */
	{0x0000876543200000ull, PVM_PROT_DEVICE | PVM_PROT_RWX | PVM_PROT_SW(5), 2, 0},
	/* Extremes of the output address */
	/* highest page, RW: 0xfffffffff000 | 0x7ff, XN */
	{0x0000fffffffff000ull, PVM_PROT_RW, 3, 0x0040fffffffff7ffull},
	/* highest 2 MiB block, X only: 0b01 | 0x3c | 0x300 | 0x400 = 0x73d */
	{0x0000ffffffe00000ull, PVM_PROT_X, 2, 0x0000ffffffe0073dull},
	/* highest 1 GiB block, RWX: 0x7fd */
	{0x0000ffffc0000000ull, PVM_PROT_RWX, 1, 0x0000ffffc00007fdull},
	/* PA 0, L1 block R: 0b01 | 0x3c | 0x40 | 0x700 = 0x77d, XN */
	{0, PVM_PROT_R, 1, 0x004000000000077dull},
	/* PA 0, page, no access, Device, all SW bits: 0x707, XN, 0x0780... */
	{0, PVM_PROT_DEVICE | PVM_PROT_SW_MASK, 3, 0x07c0000000000707ull},
};

/* Inputs the encoder must refuse with 0. */
static const struct leaf_row leaf_bad[] = {
	{0, PVM_PROT_RW, 0, 0},		    /* level 0 has no blocks (4 KiB, no LPA2) */
	{0x40000000ull, PVM_PROT_RW, 0, 0}, /* ditto */
	{0x40000000ull, PVM_PROT_RW, 4, 0}, /* no level 4 */
	{0x40000000ull, PVM_PROT_RW, UINT_MAX, 0},
	{0x40001000ull, PVM_PROT_RW, 2, 0}, /* 2 MiB block at a 4 KiB-aligned PA */
	{0x40100000ull, PVM_PROT_RW, 2, 0}, /* ... at a 1 MiB-aligned PA */
	{0x40200000ull, PVM_PROT_RW, 1, 0}, /* 1 GiB block at a 2 MiB-aligned PA */
	{0x40001000ull, PVM_PROT_RW, 1, 0}, /* ... at a 4 KiB-aligned PA */
	{0x40000800ull, PVM_PROT_RW, 3, 0}, /* page at a 2 KiB-aligned PA */
	{0x40000001ull, PVM_PROT_RW, 3, 0},
	{1ull << 48, PVM_PROT_RW, 3, 0}, /* OA is bits 47:12 only */
	{1ull << 48, PVM_PROT_RW, 2, 0},
	{1ull << 48, PVM_PROT_RW, 1, 0},
	{0x000f000000000000ull, PVM_PROT_RW, 3, 0}, /* bits 51:48 (LPA2 only) */
	{1ull << 52, PVM_PROT_RW, 3, 0},
	{1ull << 63, PVM_PROT_RW, 3, 0},
	{0xfffffffffffff000ull, PVM_PROT_RW, 3, 0},
	{0x40000000ull, 1u << 8, 3, 0}, /* unknown prot bits */
	{0x40000000ull, PVM_PROT_RW | (1u << 9), 2, 0},
	{0x40000000ull, PVM_PROT_RWX | (1u << 31), 1, 0},
	{0x40000000ull, ~PVM_PROT_ALL, 3, 0},
	{0x40000000ull, 0xffffffffu, 3, 0},
};

static void test_encode_leaf(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(leaf_rows) / sizeof(leaf_rows[0]); i++) {
		const struct leaf_row *r = &leaf_rows[i];
		uint64_t got = pvm_stage2_encode_leaf(pvm_pa(r->pa), r->prot, r->level);

		if (got != r->desc) {
			print_error(
				"row %zu: pa %#llx prot %#x level %u: got %#018llx want %#018llx\n",
				i, (unsigned long long)r->pa, r->prot, r->level,
				(unsigned long long)got, (unsigned long long)r->desc);
		}
		assert_int_equal(got, r->desc);
		if (r->desc)
			assert_int_equal(pvm_stage2_decode_prot(got), r->prot);
	}
	for (size_t i = 0; i < sizeof(leaf_bad) / sizeof(leaf_bad[0]); i++) {
		const struct leaf_row *r = &leaf_bad[i];
		uint64_t got = pvm_stage2_encode_leaf(pvm_pa(r->pa), r->prot, r->level);

		if (got != 0) {
			print_error("bad row %zu: pa %#llx prot %#x level %u: got %#018llx\n", i,
				    (unsigned long long)r->pa, r->prot, r->level,
				    (unsigned long long)got);
		}
		assert_int_equal(got, 0);
	}
}

/* decode(encode(prot)) == prot for every one of the 256 valid values, at every level. */
static void test_decode_roundtrip(void **state)
{
	static const uint64_t pa[4] = {0, 0x0000abcdc0000000ull, 0x0000876543200000ull,
				       0x0000123456789000ull};

	(void)state;
	for (unsigned level = 1; level <= 3; level++) {
		for (pvm_prot_t prot = 0; prot <= PVM_PROT_ALL; prot++) {
			uint64_t d = pvm_stage2_encode_leaf(pvm_pa(pa[level]), prot, level);

			/* Device memory is never executable: refused. */
			if ((prot & PVM_PROT_DEVICE) && (prot & PVM_PROT_X)) {
				assert_int_equal(d, 0);
				continue;
			}
			assert_int_not_equal(d, 0);
			assert_int_equal(d & D_OA_MASK, pa[level]);
			assert_int_equal(d & D_TYPE, level == 3 ? 0x3 : 0x1);
			assert_int_equal(pvm_stage2_decode_prot(d), prot);
		}
	}
}

/* ------------------------------------------------------------------------- */
/* 4. Real tables on the simulator                                           */
/* ------------------------------------------------------------------------- */

struct regime {
	struct pvm_stage2 s2;
	struct pvm_pool pool;
	pvm_paddr_t root;
	const struct geometry *g;
	unsigned ipa_bits, pa_bits;
	uint16_t vmid;
	uint64_t vtcr, vttbr; /* by hand */
};

/* PS encoding of VTCR_EL2 for a PA size. */
static uint64_t ps_of(unsigned pa_bits)
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
	default:
		fail_msg("pa_bits %u", pa_bits);
		return 0;
	}
}

static void regime_up(struct regime *r, unsigned ipa_bits, unsigned pa_bits, uint16_t vmid,
		      size_t pool_pages)
{
	memset(r, 0, sizeof(*r));
	r->g = geometry_of(ipa_bits);
	r->ipa_bits = ipa_bits;
	r->pa_bits = pa_bits;
	r->vmid = vmid;
	r->root = carve(r->g->pages, r->g->pages);
	/* T0SZ | SL0 = 2 - level | fixed fields | PS */
	r->vtcr = (64 - ipa_bits) | (uint64_t)(2 - r->g->level) << 6 | VTCR_FIXED |
		  ps_of(pa_bits) << 16;
	r->vttbr = pvm_pa_val(r->root) | (uint64_t)vmid << 48;

	const struct pvm_stage2_config cfg = {ipa_bits, pa_bits, vmid};

	pvm_pool_init(&r->pool);
	if (pool_pages) {
		assert_int_equal(pvm_pool_donate(&r->pool, carve(pool_pages, 1), pool_pages),
				 PVM_OK);
	}
	assert_int_equal(pvm_stage2_init(&r->s2, &cfg, r->root, &r->pool), PVM_OK);
	assert_int_equal(pvm_stage2_vtcr(&r->s2), r->vtcr);
	assert_int_equal(pvm_stage2_vttbr(&r->s2), r->vttbr);
}

/*
 * The descriptor for @p ipa at @p level, found by hand: root index from
 * IPA[ipa_bits-1 : shift(start)] (spanning the concatenated pages), then at
 * each level the next table from desc[47:12] and index IPA[shift+8 : shift].
 */
static uint64_t *hand_entry(const struct regime *r, uint64_t ipa, unsigned level)
{
	unsigned l = (unsigned)r->g->level;
	uint64_t *ent = table_at(pvm_pa_val(r->root), (uint64_t)r->g->pages * 512) +
			(ipa >> level_shift(l));

	assert_true(level >= l);
	while (l < level) {
		uint64_t d = *ent;

		if ((d & D_TYPE) != 0x3) {
			print_error("ipa %#llx: level %u entry %#llx is not a table\n",
				    (unsigned long long)ipa, l, (unsigned long long)d);
		}
		assert_int_equal(d & D_TYPE, 0x3);
		l++;
		ent = table_at(d & D_OA_MASK, 512) + ((ipa >> level_shift(l)) & 511);
	}
	return ent;
}

/* A table descriptor: 0b11, address 47:12 in RAM, the child's count in 7:2 and 58:55, the rest
 * clear. */
static void check_table_desc(uint64_t d, unsigned want_count)
{
	assert_int_equal(d & D_TYPE, 0x3);
	assert_int_equal(d & (D_HI_MASK & ~(0xfull << 55)), 0);
	assert_int_equal(d & 0xf00, 0); /* LPA2's address bits 9:8, HAFT's AF, bit 11 */
	assert_non_null(pvm_sim_ram(pvm_pa(d & D_OA_MASK), PVM_PAGE_SIZE));
	const uint64_t *child = table_at(d & D_OA_MASK, 512);

	if (D_COUNT(d) != want_count || count_nonzero(child) != want_count) {
		print_error("table desc %#018llx: count field %u, child has %u non-zero, want %u\n",
			    (unsigned long long)d, D_COUNT(d), count_nonzero(child), want_count);
	}
	assert_int_equal(D_COUNT(d), want_count);
	assert_int_equal(count_nonzero(child), want_count);
}

/* Every table descriptor below @p table: count field == non-zero child entries. */
static unsigned check_counts(uint64_t table_pa, uint64_t entries, unsigned level)
{
	const uint64_t *t = table_at(table_pa, entries);
	unsigned tables = 0;

	for (uint64_t i = 0; i < entries; i++) {
		if (level < 3 && (t[i] & D_TYPE) == 0x3) {
			const uint64_t *child = table_at(t[i] & D_OA_MASK, 512);

			assert_int_equal(D_COUNT(t[i]), count_nonzero(child));
			assert_int_not_equal(D_COUNT(t[i]), 0); /* empty tables are freed */
			tables += 1 + check_counts(t[i] & D_OA_MASK, 512, level + 1);
		}
	}
	return tables;
}

static unsigned check_all_counts(const struct regime *r)
{
	return check_counts(pvm_pa_val(r->root), (uint64_t)r->g->pages * 512,
			    (unsigned)r->g->level);
}

/* The four mappings of the brief; PAs below 2^40, outside simulated RAM on purpose. */
#define IPA_A  GiB(1)
#define PA_A   0x000000abc0000000ull /* 1 GiB aligned: 0xabc0000000 = 0x2af << 30 */
#define PROT_A PVM_PROT_RW
/* block 0b01 | 0b1111 << 2 | 0b11 << 6 | 0b11 << 8 | 1 << 10 = 0x7fd; XN 0b10 << 53 */
#define ATTR_A 0x00400000000007fdull

#define IPA_B  MiB(2)
#define PA_B   0x0000001234600000ull /* 2 MiB aligned: 0x1234600000 = 0x91a3 << 21 */
#define PROT_B (PVM_PROT_R | PVM_PROT_X)
/* block 0b01 | 0x3c | 0b01 << 6 | 0x300 | 0x400 = 0x77d; executable: XN 0b00 */
#define ATTR_B 0x000000000000077dull

#define PA_C   0x0000000fedcba000ull
#define PROT_C (PVM_PROT_RWX | PVM_PROT_SW(5))
/* page 0b11 | 0x3c | 0xc0 | 0x300 | 0x400 = 0x7ff; SW 0b0101 << 55 = 0x0280... */
#define ATTR_C 0x02800000000007ffull

#define IPA_D  MiB(8)
#define PA_D   0x0000005555400000ull
#define PROT_D (PVM_PROT_DEVICE | PVM_PROT_RW | PVM_PROT_SW(0xa))
/* page 0b11 | 0b0001 << 2 | 0xc0 | 0x300 | 0x400 = 0x7c7; XN 0x0040...; SW 0b1010 << 55 = 0x0500...
 */
#define ATTR_D 0x05400000000007c7ull

struct regime_case {
	unsigned ipa_bits;
	uint64_t top_root_index; /* ((1 << ipa_bits) - 4096) >> shift(start level) */
	unsigned tables;	 /* non-root table pages the four mappings need */
};

static void check_translate(const struct regime *r, uint64_t ipa, enum pvm_sim_access acc,
			    unsigned level, uint64_t pa, uint64_t block, uint64_t attr)
{
	struct pvm_sim_s2_result res;

	memset(&res, 0, sizeof(res));
	assert_int_equal(pvm_sim_s2_translate(r->vtcr, r->vttbr, ipa, acc, &res), PVM_OK);
	if (res.fault) {
		print_error("ipa %#llx access %d: fault fsc %#x level %u\n",
			    (unsigned long long)ipa, (int)acc, res.fsc, res.level);
	}
	assert_false(res.fault);
	assert_int_equal(res.level, level);
	assert_int_equal(pvm_pa_val(res.pa), pa);
	assert_int_equal(res.block, block);
	assert_int_equal(res.s2ap, (attr >> 6) & 3);
	assert_int_equal(res.xn, (attr >> 53) & 3);
	assert_int_equal(res.memattr, (attr >> 2) & 0xf);
	assert_int_equal(res.sh, 3);
	assert_int_equal(res.sw, (attr >> 55) & 0xf);
}

static void check_fault(const struct regime *r, uint64_t ipa, enum pvm_sim_access acc, uint8_t fsc,
			unsigned level)
{
	struct pvm_sim_s2_result res;

	memset(&res, 0, sizeof(res));
	assert_int_equal(pvm_sim_s2_translate(r->vtcr, r->vttbr, ipa, acc, &res), PVM_OK);
	assert_true(res.fault);
	assert_int_equal(res.fsc, fsc);
	assert_int_equal(res.level, level);
}

static void check_lookup(const struct regime *r, uint64_t ipa, unsigned level, uint64_t base,
			 uint64_t size, uint64_t pa, pvm_prot_t prot, uint64_t desc)
{
	struct pvm_stage2_mapping m;

	memset(&m, 0, sizeof(m));
	assert_int_equal(pvm_stage2_lookup(&r->s2, pvm_ipa(ipa), &m), PVM_OK);
	assert_true(m.valid);
	assert_int_equal(m.level, level);
	assert_int_equal(m.base, base);
	assert_int_equal(m.size, size);
	assert_int_equal(pvm_pa_val(m.pa), pa);
	assert_int_equal(m.prot, prot);
	assert_int_equal(m.owner, 0);
	assert_int_equal(m.desc, desc);
}

static void test_regime(void **state)
{
	const struct regime_case *c = *state;
	struct regime r;
	size_t need = 99;
	const uint64_t top = (1ull << c->ipa_bits) - PVM_PAGE_SIZE;
	const uint64_t IPA_C = top;

	sim_up();
	pvm_sim_tlb_enable(false); /* every translation below walks the tables */
	/*
	 * PA size 48 for every IPA size: the implementation refuses
	 * ipa_bits > pa_bits, which stage2.h does not document.
	 */
	regime_up(&r, c->ipa_bits, 48, (uint16_t)(0x100 + c->ipa_bits), 0);
	const unsigned sl = (unsigned)r.g->level;
	const uint64_t *root = table_at(pvm_pa_val(r.root), (uint64_t)r.g->pages * 512);

	print_message("ipa_bits %u: start level %u, %u root pages, top root index %llu\n",
		      c->ipa_bits, sl, r.g->pages, (unsigned long long)c->top_root_index);
	assert_int_equal(c->top_root_index, top >> level_shift(sl));

	/* Empty pool: a page at the top needs one table per level below the root. */
	assert_int_equal(pvm_stage2_map(&r.s2, pvm_ipa(IPA_C), pvm_pa(PA_C), PVM_PAGE_SIZE, PROT_C,
					0, &need),
			 PVM_E_NOMEM);
	assert_int_equal(need, 3 - sl);
	assert_int_equal(count_nonzero(root), 0);
	assert_int_equal(r.s2.table_pages, 0);

	assert_int_equal(pvm_pool_donate(&r.pool, carve(32, 1), 32), PVM_OK);
	const size_t free0 = pvm_pool_free_pages(&r.pool);

	/* (a) 1 GiB at a 1 GiB-aligned IPA and PA */
	assert_int_equal(
		pvm_stage2_map(&r.s2, pvm_ipa(IPA_A), pvm_pa(PA_A), GiB(1), PROT_A, 0, &need),
		PVM_OK);
	assert_int_equal(need, 0);
	/* (b) 2 MiB at a 2 MiB-aligned IPA and PA */
	assert_int_equal(
		pvm_stage2_map(&r.s2, pvm_ipa(IPA_B), pvm_pa(PA_B), MiB(2), PROT_B, 0, &need),
		PVM_OK);
	/* (c) a single page at the top of the IPA space */
	assert_int_equal(pvm_stage2_map(&r.s2, pvm_ipa(IPA_C), pvm_pa(PA_C), PVM_PAGE_SIZE, PROT_C,
					0, &need),
			 PVM_OK);
	/* (d) 2 MiB, aligned, but forced to pages */
	assert_int_equal(pvm_stage2_map(&r.s2, pvm_ipa(IPA_D), pvm_pa(PA_D), MiB(2), PROT_D,
					PVM_S2_MAP_PAGES, &need),
			 PVM_OK);

	assert_int_equal(r.s2.table_pages, c->tables);
	assert_int_equal(free0 - pvm_pool_free_pages(&r.pool), c->tables);

	/* Raw descriptors, by hand. */
	if (sl <= 1) {
		/* (a) one level-1 block */
		uint64_t *a = hand_entry(&r, IPA_A, 1);

		assert_int_equal(*a, PA_A | ATTR_A);
	} else {
		/*
		 * (a) A level-2 root has no level-1 entries: 512 level-2
		 * blocks, root[512..1023] (IPA 1 GiB >> 21 = 512).
		 */
		for (uint64_t i = 0; i < 512; i++) {
			assert_int_equal(root[512 + i], (PA_A + i * MiB(2)) | ATTR_A);
		}
	}
	/* (b) one level-2 block */
	assert_int_equal(*hand_entry(&r, IPA_B, 2), PA_B | ATTR_B);
	/* (c) one level-3 page */
	assert_int_equal(*hand_entry(&r, IPA_C, 3), PA_C | ATTR_C);
	/* (d) 512 level-3 pages */
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t want = (PA_D + i * PVM_PAGE_SIZE) | ATTR_D;
		uint64_t got = *hand_entry(&r, IPA_D + i * PVM_PAGE_SIZE, 3);

		if (got != want) {
			print_error("(d) page %llu: got %#018llx want %#018llx\n",
				    (unsigned long long)i, (unsigned long long)got,
				    (unsigned long long)want);
		}
		assert_int_equal(got, want);
	}

	/* Table descriptors and their counts, by hand. */
	switch (sl) {
	case 0:
		/* L0[0] -> L1 {[0] table, [1] block (a)} */
		check_table_desc(root[0], 2);
		/* L1[0] -> L2 {[1] block (b), [4] table (d)} */
		check_table_desc(*hand_entry(&r, 0, 1), 2);
		/* L2[4] -> L3 with 512 pages: count 512 = 0x200, i.e. bit 11 of the descriptor */
		check_table_desc(*hand_entry(&r, IPA_D, 2), 512);
		/* the top page: L0[top] -> L1 {[511]} -> L2 {[511]} -> L3 {[511]} */
		check_table_desc(root[c->top_root_index], 1);
		check_table_desc(*hand_entry(&r, top, 1), 1);
		check_table_desc(*hand_entry(&r, top, 2), 1);
		assert_int_equal(root[c->top_root_index] & 0xffc, 1 << 2);
		break;
	case 1:
		/* root[0] -> L2 {[1] block (b), [4] table (d)} */
		check_table_desc(root[0], 2);
		check_table_desc(*hand_entry(&r, IPA_D, 2), 512);
		/* root[top] -> L2 {[511]} -> L3 {[511]} */
		check_table_desc(root[c->top_root_index], 1);
		check_table_desc(*hand_entry(&r, top, 2), 1);
		break;
	default:
		/* root[4] (IPA 8 MiB >> 21) -> L3 with 512 pages */
		check_table_desc(root[4], 512);
		/* root[top] -> L3 {[511]} */
		check_table_desc(root[c->top_root_index], 1);
		break;
	}
	/* The top page is the last entry of the last root page. */
	if (c->top_root_index % 512 == 511) {
		assert_int_equal(c->top_root_index / 512, r.g->pages - 1);
	}
	assert_int_equal(check_all_counts(&r), c->tables);

	/* pvm_stage2_lookup() */
	if (sl <= 1) {
		check_lookup(&r, IPA_A + 0x12345678, 1, IPA_A, GiB(1), PA_A + 0x12345678, PROT_A,
			     PA_A | ATTR_A);
	} else {
		/* 0x12345678 & ~(2 MiB - 1) = 0x12200000 */
		check_lookup(&r, IPA_A + 0x12345678, 2, IPA_A + 0x12200000, MiB(2),
			     PA_A + 0x12345678, PROT_A, (PA_A + 0x12200000) | ATTR_A);
	}
	check_lookup(&r, IPA_B + 0x1234, 2, IPA_B, MiB(2), PA_B + 0x1234, PROT_B, PA_B | ATTR_B);
	check_lookup(&r, IPA_C + 0xabc, 3, IPA_C, PVM_PAGE_SIZE, PA_C + 0xabc, PROT_C,
		     PA_C | ATTR_C);
	check_lookup(&r, IPA_D + 0x7010, 3, IPA_D + 0x7000, PVM_PAGE_SIZE, PA_D + 0x7010, PROT_D,
		     (PA_D + 0x7000) | ATTR_D);

	/* Unmapped 2 GiB: the root entry, or the empty L1[2] under L0[0]. */
	struct pvm_stage2_mapping m;

	memset(&m, 0xff, sizeof(m));
	assert_int_equal(pvm_stage2_lookup(&r.s2, pvm_ipa(GiB(2) + 0x5000), &m), PVM_E_NOENT);
	assert_false(m.valid);
	assert_int_equal(m.level, sl == 2 ? 2 : 1);
	assert_int_equal(m.base, GiB(2));
	assert_int_equal(m.size, sl == 2 ? MiB(2) : GiB(1));
	assert_int_equal(m.owner, 0);
	assert_int_equal(m.desc, 0);
	assert_int_equal(pvm_stage2_lookup(&r.s2, pvm_ipa(1ull << c->ipa_bits), &m), PVM_E_RANGE);
	assert_int_equal(pvm_stage2_lookup(&r.s2, pvm_ipa(~0ull), &m), PVM_E_RANGE);
	assert_int_equal(pvm_stage2_lookup(&r.s2, pvm_ipa(0), NULL), PVM_E_INVAL);
	assert_int_equal(pvm_stage2_lookup(NULL, pvm_ipa(0), &m), PVM_E_INVAL);

	/* The simulator's MMU, driven by the hand-computed VTCR_EL2/VTTBR_EL2. */
	if (sl <= 1) {
		check_translate(&r, IPA_A + 0x12345678, PVM_SIM_READ, 1, PA_A + 0x12345678, GiB(1),
				ATTR_A);
		check_translate(&r, IPA_A + GiB(1) - 8, PVM_SIM_WRITE, 1, PA_A + GiB(1) - 8, GiB(1),
				ATTR_A);
		check_fault(&r, IPA_A, PVM_SIM_EXEC, PVM_FSC_PERMISSION(1), 1);
	} else {
		check_translate(&r, IPA_A + 0x12345678, PVM_SIM_READ, 2, PA_A + 0x12345678, MiB(2),
				ATTR_A);
		check_translate(&r, IPA_A + GiB(1) - 8, PVM_SIM_WRITE, 2, PA_A + GiB(1) - 8, MiB(2),
				ATTR_A);
		check_fault(&r, IPA_A, PVM_SIM_EXEC, PVM_FSC_PERMISSION(2), 2);
	}
	check_translate(&r, IPA_B + 0x1ffff8, PVM_SIM_READ, 2, PA_B + 0x1ffff8, MiB(2), ATTR_B);
	check_translate(&r, IPA_B, PVM_SIM_EXEC, 2, PA_B, MiB(2), ATTR_B);
	check_fault(&r, IPA_B, PVM_SIM_WRITE, PVM_FSC_PERMISSION(2), 2);
	check_translate(&r, IPA_C + 0xff8, PVM_SIM_READ, 3, PA_C + 0xff8, PVM_PAGE_SIZE, ATTR_C);
	check_translate(&r, IPA_C, PVM_SIM_WRITE, 3, PA_C, PVM_PAGE_SIZE, ATTR_C);
	check_translate(&r, IPA_C, PVM_SIM_EXEC, 3, PA_C, PVM_PAGE_SIZE, ATTR_C);
	for (uint64_t i = 0; i < 512; i += 73) {
		check_translate(&r, IPA_D + i * PVM_PAGE_SIZE + 4, PVM_SIM_WRITE, 3,
				PA_D + i * PVM_PAGE_SIZE + 4, PVM_PAGE_SIZE, ATTR_D);
	}
	check_fault(&r, IPA_D, PVM_SIM_EXEC, PVM_FSC_PERMISSION(3), 3);
	check_fault(&r, GiB(2), PVM_SIM_READ, PVM_FSC_TRANSLATION(sl == 2 ? 2 : 1),
		    sl == 2 ? 2 : 1);
	/* The page below the top one is in the same L3 table, unmapped. */
	check_fault(&r, top - PVM_PAGE_SIZE, PVM_SIM_READ, PVM_FSC_TRANSLATION(3), 3);

	pvm_stage2_destroy(&r.s2);
	assert_int_equal(pvm_pool_free_pages(&r.pool), free0);
	pvm_sim_fini();
}

/* top_root_index: 32: (2^32 - 4096) >> 21 = 2047 = page 3 entry 511; 34: 8191 = page 15/511;
 * 36: >> 30 = 63 (one page, 64 entries used); 40: 1023 = page 1/511; 43: 8191 = page 15/511;
 * 44: >> 39 = 31; 48: 511.
 * tables: start level 2: root[4] -> L3, root[top] -> L3 = 2;
 *         start level 1: + one L2 under each = 4;
 *         start level 0: + one L1 under each = 6. */
static const struct regime_case regime_cases[] = {
	{32, 2047, 2}, {34, 8191, 2}, {36, 63, 4},  {40, 1023, 4},
	{43, 8191, 4}, {44, 31, 6},   {48, 511, 6},
};

/* Output and input ranges against the regime's sizes (32-bit IPA and PA). */
static void test_map_ranges(void **state)
{
	struct regime r;
	size_t need = 99;

	(void)state;
	sim_up();
	regime_up(&r, 32, 32, 3, 16);
	/* The last page of the PA space: 0xfffff000 | RW page 0x7ff | XN 0x0040... */
	assert_int_equal(pvm_stage2_map(&r.s2, pvm_ipa(0), pvm_pa(0xfffff000ull), PVM_PAGE_SIZE,
					PVM_PROT_RW, 0, &need),
			 PVM_OK);
	assert_int_equal(*hand_entry(&r, 0, 3), 0x00400000fffff7ffull);
	/* PA 2^32 is beyond a 32-bit PA size, and so is a range crossing it. */
	assert_int_equal(pvm_stage2_map(&r.s2, pvm_ipa(0x1000), pvm_pa(1ull << 32), PVM_PAGE_SIZE,
					PVM_PROT_RW, 0, &need),
			 PVM_E_RANGE);
	assert_int_equal(pvm_stage2_map(&r.s2, pvm_ipa(0x2000), pvm_pa(0xfffff000ull), KiB(8),
					PVM_PROT_RW, 0, &need),
			 PVM_E_RANGE);
	/* IPA 2^32 - 4096 is the last page; a range crossing 2^32 is refused. */
	assert_int_equal(pvm_stage2_map(&r.s2, pvm_ipa(0xffffe000ull), pvm_pa(0x1000), KiB(16),
					PVM_PROT_RW, 0, &need),
			 PVM_E_RANGE);
	assert_int_equal(pvm_stage2_map(&r.s2, pvm_ipa(1ull << 32), pvm_pa(0x1000), PVM_PAGE_SIZE,
					PVM_PROT_RW, 0, &need),
			 PVM_E_RANGE);
	/* Misaligned, empty or with unknown bits. */
	assert_int_equal(pvm_stage2_map(&r.s2, pvm_ipa(0x1800), pvm_pa(0x1000), PVM_PAGE_SIZE,
					PVM_PROT_RW, 0, &need),
			 PVM_E_INVAL);
	assert_int_equal(pvm_stage2_map(&r.s2, pvm_ipa(0x1000), pvm_pa(0x1800), PVM_PAGE_SIZE,
					PVM_PROT_RW, 0, &need),
			 PVM_E_INVAL);
	assert_int_equal(
		pvm_stage2_map(&r.s2, pvm_ipa(0x1000), pvm_pa(0x1000), 0, PVM_PROT_RW, 0, &need),
		PVM_E_INVAL);
	assert_int_equal(pvm_stage2_map(&r.s2, pvm_ipa(0x1000), pvm_pa(0x1000), PVM_PAGE_SIZE,
					1u << 8, 0, &need),
			 PVM_E_INVAL);
	assert_int_equal(pvm_stage2_map(&r.s2, pvm_ipa(0x1000), pvm_pa(0x1000), PVM_PAGE_SIZE,
					PVM_PROT_RW, 1u << 1, &need),
			 PVM_E_INVAL);
	/* Nothing but the first page was mapped. */
	assert_int_equal(*hand_entry(&r, 0x1000, 3), 0);
	assert_int_equal(*hand_entry(&r, 0x2000, 3), 0);
	check_table_desc(table_at(pvm_pa_val(r.root), 512)[0], 1);
	pvm_stage2_destroy(&r.s2);
	pvm_sim_fini();
}

/* ------------------------------------------------------------------------- */
/* 5. Owner annotations                                                      */
/* ------------------------------------------------------------------------- */

static void check_annotated(const struct regime *r, uint64_t ipa, unsigned owner)
{
	uint64_t d = *hand_entry(r, ipa, 3);
	struct pvm_stage2_mapping m;
	struct pvm_sim_s2_result res;

	print_message("ipa %#llx: annotated desc %#018llx\n", (unsigned long long)ipa,
		      (unsigned long long)d);
	assert_int_equal(d & D_VALID, 0); /* invalid: bit 0 clear */
	assert_int_equal(D_OWNER(d), owner);
	memset(&m, 0, sizeof(m));
	assert_int_equal(pvm_stage2_lookup(&r->s2, pvm_ipa(ipa + 0x10), &m), PVM_E_NOENT);
	assert_false(m.valid);
	assert_int_equal(m.owner, owner);
	assert_int_equal(m.level, 3);
	assert_int_equal(m.base, ipa);
	assert_int_equal(m.size, PVM_PAGE_SIZE);
	assert_int_equal(m.desc, d);
	assert_int_equal(pvm_sim_s2_translate(r->vtcr, r->vttbr, ipa, PVM_SIM_READ, &res), PVM_OK);
	assert_true(res.fault);
	assert_int_equal(res.fsc, PVM_FSC_TRANSLATION(3));
}

static void test_annotate(void **state)
{
	struct regime r;
	const uint64_t pa = 0x0000004321000000ull;
	/* page RW Normal: 0x7ff | XN 0x0040... */
	const uint64_t attr = 0x00400000000007ffull;
	size_t need = 99;

	(void)state;
	sim_up();
	pvm_sim_tlb_enable(false);
	regime_up(&r, 40, 40, 9, 16);

	assert_int_equal(
		pvm_stage2_map(&r.s2, pvm_ipa(0x1000), pvm_pa(pa), KiB(8), PVM_PROT_RW, 0, &need),
		PVM_OK);
	assert_int_equal(*hand_entry(&r, 0x1000, 3), pa | attr);
	assert_int_equal(*hand_entry(&r, 0x2000, 3), (pa + 0x1000) | attr);
	/* root[0] -> L2 {[0]} -> L3 {[1], [2]} */
	check_table_desc(*hand_entry(&r, 0, 2), 2);

	/* Owner 0x5a on the first page: bits 9:2 = 0x5a, i.e. 0x5a << 2 = 0x168. */
	assert_int_equal(pvm_stage2_annotate(&r.s2, pvm_ipa(0x1000), PVM_PAGE_SIZE, 0x5a, &need),
			 PVM_OK);
	assert_int_equal(need, 0);
	check_annotated(&r, 0x1000, 0x5a);
	assert_int_equal(*hand_entry(&r, 0x1000, 3) & 0x3fc, 0x168);
	/* The other page is untouched; the annotated entry still counts as non-empty. */
	assert_int_equal(*hand_entry(&r, 0x2000, 3), (pa + 0x1000) | attr);
	check_table_desc(*hand_entry(&r, 0, 2), 2);

	/* The largest owner: 0xff << 2 = 0x3fc. */
	assert_int_equal(
		pvm_stage2_annotate(&r.s2, pvm_ipa(0x2000), PVM_PAGE_SIZE, PVM_S2_OWNER_MAX, &need),
		PVM_OK);
	check_annotated(&r, 0x2000, 0xff);
	check_table_desc(*hand_entry(&r, 0, 2), 2);

	/* Owner above the maximum: refused, nothing changed. */
	uint64_t before = *hand_entry(&r, 0x1000, 3);

	assert_int_equal(pvm_stage2_annotate(&r.s2, pvm_ipa(0x1000), PVM_PAGE_SIZE, 0x100, &need),
			 PVM_E_INVAL);
	assert_int_equal(*hand_entry(&r, 0x1000, 3), before);

	/* An annotation in an empty part of the space. */
	assert_int_equal(pvm_stage2_annotate(&r.s2, pvm_ipa(MiB(256)), PVM_PAGE_SIZE, 0x21, &need),
			 PVM_OK);
	check_annotated(&r, MiB(256), 0x21);

	/* Mapping replaces an annotation. */
	assert_int_equal(pvm_stage2_map(&r.s2, pvm_ipa(0x2000), pvm_pa(pa), PVM_PAGE_SIZE,
					PVM_PROT_RW, 0, &need),
			 PVM_OK);
	assert_int_equal(*hand_entry(&r, 0x2000, 3), pa | attr);

	/* Owner 0 is unmap: the entry is empty again, lookup reports no owner. */
	assert_int_equal(pvm_stage2_annotate(&r.s2, pvm_ipa(0x1000), PVM_PAGE_SIZE, 0, &need),
			 PVM_OK);
	assert_int_equal(*hand_entry(&r, 0x1000, 3), 0);
	struct pvm_stage2_mapping m;

	memset(&m, 0xff, sizeof(m));
	assert_int_equal(pvm_stage2_lookup(&r.s2, pvm_ipa(0x1000), &m), PVM_E_NOENT);
	assert_false(m.valid);
	assert_int_equal(m.owner, 0);
	assert_int_equal(m.desc, 0);
	check_table_desc(*hand_entry(&r, 0, 2), 1);
	check_all_counts(&r);

	pvm_stage2_destroy(&r.s2);
	pvm_sim_fini();
}

/* ------------------------------------------------------------------------- */
/* 6. pvm_strerror                                                           */
/* ------------------------------------------------------------------------- */

static void test_strerror(void **state)
{
	static const int known[] = {PVM_OK,	  PVM_E_INVAL, PVM_E_RANGE, PVM_E_NOMEM,
				    PVM_E_EXISTS, PVM_E_NOENT, PVM_E_STATE, PVM_E_BUSY,
				    PVM_E_PERM,	  PVM_E_NOTSUP};
	static const int unknown[] = {1, 2, -10, -11, 100, -100, INT_MAX, INT_MIN};
	const size_t n = sizeof(known) / sizeof(known[0]);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const char *s = pvm_strerror(known[i]);

		assert_non_null(s);
		assert_true(s[0] != '\0');
		assert_string_not_equal(s, "unknown status");
		for (size_t j = 0; j < i; j++) {
			assert_string_not_equal(s, pvm_strerror(known[j]));
		}
	}
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		assert_non_null(pvm_strerror(unknown[i]));
		assert_string_equal(pvm_strerror(unknown[i]), "unknown status");
	}
}

/* One named test per IPA size (cmocka_unit_test_prestate names them all alike). */
#define REGIME_TEST(bits, i)                                                                       \
	{                                                                                          \
		"test_regime_ipa" #bits, test_regime, NULL, NULL, (void *)&regime_cases[i]         \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_vtcr_vttbr),
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_encode_leaf),
		cmocka_unit_test(test_decode_roundtrip),
		REGIME_TEST(32, 0),
		REGIME_TEST(34, 1),
		REGIME_TEST(36, 2),
		REGIME_TEST(40, 3),
		REGIME_TEST(43, 4),
		REGIME_TEST(44, 5),
		REGIME_TEST(48, 6),
		cmocka_unit_test(test_map_ranges),
		cmocka_unit_test(test_annotate),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
