/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor's own stage-1 translation (EL2, TTBR0_EL2): an identity
 * map, so that pvm_port_phys_to_virt() is the identity. 39-bit VA, 4 KiB
 * granule, starting at level 1: 1 GiB blocks where a whole aligned GiB is
 * wanted and its entry is free, 2 MiB blocks otherwise. Entries are only
 * ever added, never changed (no break-before-make needed, and a new valid
 * entry needs no TLB invalidation: faulting entries are never cached).
 *
 * el2_mmu_boot() runs with the MMU off, when every data access is to
 * Device memory: this file is compiled with -mstrict-align and calls no
 * library function. The tables live in the BSS, already zeroed.
 */
#include "el2.h"

#define VA_BITS 39
#define ENTRIES 512
#define L2_MAX	16 /* 2 MiB-mapped GiBs: enough for RAM split around the image, DTB, devices */

#define DESC_VALID  (1ull << 0)
#define DESC_TABLE  (3ull << 0)
#define DESC_BLOCK  (1ull << 0)
#define ATTR_IDX(n) ((uint64_t)(n) << 2)
#define SH_INNER    (3ull << 8)
#define AF	    (1ull << 10)
#define XN	    (1ull << 54)
/* MAIR_EL2: attr0 Normal write-back RW-allocate, attr1 Device-nGnRE. */
#define MAIR_VALUE 0x04ffull
#define NORMAL	   (ATTR_IDX(0) | SH_INNER | AF)
#define DEVICE	   (ATTR_IDX(1) | AF | XN)

#define TCR_RES1  ((1ull << 31) | (1ull << 23))
#define TCR_T0SZ  (64 - VA_BITS)
#define TCR_WBWA  ((1ull << 8) | (1ull << 10)) /* IRGN0, ORGN0: write-back RW-allocate */
#define TCR_ISH	  (3ull << 12)
#define TCR_PS(p) ((uint64_t)(p) << 16)

#define SCTLR_M	 (1ull << 0)
#define SCTLR_C	 (1ull << 2)
#define SCTLR_SA (1ull << 3)
#define SCTLR_I	 (1ull << 12)

static uint64_t l1[ENTRIES] __attribute__((aligned(4096), section(".bss.pages")));
static uint64_t l2[L2_MAX][ENTRIES] __attribute__((aligned(4096), section(".bss.pages")));
static unsigned l2_used;
struct el2_mmu_regs el2_mmu_regs;

static int map_2m(uint64_t addr, uint64_t attr)
{
	uint64_t *e1 = &l1[addr >> 30], *t, want = addr | attr | DESC_BLOCK;

	/* Inside a 1 GiB block (identity too): fine if it has the same attributes. */
	if ((*e1 & 3) == DESC_BLOCK)
		return (*e1 & (SZ_1G - 1)) == ((attr | DESC_BLOCK) & (SZ_1G - 1)) ? 0 : -1;
	if (!(*e1 & DESC_VALID)) {
		if (l2_used == L2_MAX)
			return -1;
		*e1 = (uint64_t)(uintptr_t)l2[l2_used++] | DESC_TABLE;
	}
	t = (uint64_t *)(uintptr_t)(*e1 & ~0xfffull & ((1ull << 48) - 1));
	t = &t[(addr >> 21) & (ENTRIES - 1)];
	/* Already mapped the same way (the boot map, or two ranges in one block): fine. */
	if (*t && ((*t ^ want) & ~XN) != 0)
		return -1;
	*t = want;
	return 0;
}

static int map(uint64_t pa, uint64_t size, uint64_t attr)
{
	uint64_t a = pa & ~(SZ_2M - 1), end = (pa + size + SZ_2M - 1) & ~(SZ_2M - 1);

	if (!size || end < pa || end > (1ull << VA_BITS))
		return -1;
	while (a < end) {
		if (!(a & (SZ_1G - 1)) && end - a >= SZ_1G && !(l1[a >> 30] & DESC_VALID)) {
			l1[a >> 30] = a | attr | DESC_BLOCK;
			a += SZ_1G;
			continue;
		}
		if (map_2m(a, attr))
			return -1;
		a += SZ_2M;
	}
	return 0;
}

int el2_mmu_map(uint64_t pa, uint64_t size, bool device)
{
	int ret = map(pa, size, device ? DEVICE : NORMAL);

	/* New entries visible to the walker before anything uses them. */
	dsb(ishst);
	isb();
	return ret;
}

static uint32_t be32(const volatile uint32_t *p)
{
	return __builtin_bswap32(*p);
}

uint64_t el2_mmu_boot(uint64_t x0)
{
	/* ELF boot in QEMU: no x0; the DTB is at the base of RAM (QEMU's arm_load_kernel). */
	uint64_t dtb = x0 ? x0 : PVM_EL2_RAM_BASE, parange;
	const volatile uint32_t *hdr = (const volatile uint32_t *)(uintptr_t)dtb;

	if ((dtb & 7) || dtb >= (1ull << VA_BITS) || be32(&hdr[0]) != 0xd00dfeedu)
		return 0;
	if (map((uint64_t)(uintptr_t)__image_start,
		(uint64_t)(uintptr_t)(__image_end - __image_start), NORMAL) ||
	    map(dtb, be32(&hdr[1]), NORMAL))
		return 0;

	parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	if (parange > 5)
		parange = 5; /* 48 bits: no 52-bit output addresses at EL2 */
	el2_mmu_regs.mair = MAIR_VALUE;
	el2_mmu_regs.tcr = TCR_RES1 | TCR_T0SZ | TCR_WBWA | TCR_ISH | TCR_PS(parange);
	el2_mmu_regs.ttbr0 = (uint64_t)(uintptr_t)l1;
	el2_mmu_regs.sctlr = read_sysreg(sctlr_el2) | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I;
	write_sysreg(el2_mmu_regs.mair, mair_el2);
	write_sysreg(el2_mmu_regs.tcr, tcr_el2);
	write_sysreg(el2_mmu_regs.ttbr0, ttbr0_el2);
	dsb(ish);
	__asm__ volatile("tlbi alle2\n\tic iallu" : : : "memory");
	dsb(ish);
	isb();
	write_sysreg(el2_mmu_regs.sctlr, sctlr_el2);
	isb();
	/* The other CPUs read el2_mmu_regs with their MMU off: el2_cpus_init() cleans it. */
	return dtb;
}
