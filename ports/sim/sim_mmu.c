/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated stage-2 MMU: a table walker written from the Arm ARM's
 * VMSAv8-64 translation algorithm (4 KiB granule, 64-bit descriptors, no
 * FEAT_LPA2), deliberately without looking at src/stage2.c, so that the two
 * readings of the architecture check each other.
 *
 * Order of checks, as in the architecture's AArch64.S2Translate/S2Walk:
 * the IPA against the input size (level 0 translation fault), the root
 * address against the output size (level 0 address size fault), then for
 * each descriptor: valid and not reserved (translation fault), a table's
 * next-level address or a leaf's output address against the output size
 * (address size fault), AF (access flag fault), and last the permissions
 * (permission fault). Every fault reports the level of the descriptor that
 * caused it.
 */
#include "sim_internal.h"

#include <string.h>

/* VTCR_EL2 fields. */
#define VTCR_T0SZ(v) ((unsigned)((v)&0x3f))
#define VTCR_SL0(v)  ((unsigned)(((v) >> 6) & 0x3))
#define VTCR_TG0(v)  ((unsigned)(((v) >> 14) & 0x3))
#define VTCR_PS(v)   ((unsigned)(((v) >> 16) & 0x7))
#define VTCR_VS	     (1ull << 19)
#define VTCR_HA	     (1ull << 21)
#define VTCR_HD	     (1ull << 22)
#define VTCR_DS	     (1ull << 32)
#define VTCR_S2PIE   (1ull << 36)
#define VTCR_S2POE   (1ull << 37)
#define VTCR_D128    (1ull << 38)
/*
 * Features that change how descriptors are read or written back: hardware
 * AF/dirty management, 52-bit descriptors, permission indirection and
 * overlays, 128-bit descriptors. The walker does not model them, and
 * pretending they are off would make it disagree with hardware silently.
 */
#define VTCR_UNMODELLED (VTCR_HA | VTCR_HD | VTCR_DS | VTCR_S2PIE | VTCR_S2POE | VTCR_D128)

/* PS encodings 0-5; 0b110 (52 bits) needs FEAT_LPA and is not modelled. */
static const uint8_t ps_bits[] = {32, 36, 40, 42, 44, 48};

pvm_status_t sim_regime_decode(uint64_t vtcr, uint64_t vttbr, struct sim_regime *r)
{
	unsigned t0sz = VTCR_T0SZ(vtcr);
	unsigned sl0 = VTCR_SL0(vtcr);
	unsigned ipa_bits, start, root_bits;
	uint64_t root_size;

	/* 4 KiB granule only; 16 KiB and 64 KiB change every index. */
	if (VTCR_TG0(vtcr) != 0 || (vtcr & VTCR_UNMODELLED))
		return PVM_E_INVAL;
	if (t0sz < 64 - SIM_PA_BITS_MAX || t0sz > 32)
		return PVM_E_INVAL;
	if (VTCR_PS(vtcr) >= SIM_ARRAY_SIZE(ps_bits))
		return PVM_E_INVAL;
	/* With a 4 KiB granule SL0 counts levels up from 2; 0b11 is level 3 or -1 only with LPA2.
	 */
	if (sl0 == 3)
		return PVM_E_INVAL;

	ipa_bits = 64 - t0sz;
	start = 2 - sl0;
	/*
	 * The start level resolves every IPA bit above the next level's: at
	 * least one, at most 9 + 4 (16 concatenated tables). The architecture
	 * calls anything else an inconsistent SL0 and faults every access at
	 * level 0; a regime built like that is a bug of its builder, which
	 * the simulator reports as an error instead.
	 */
	if (ipa_bits <= sim_level_shift(start))
		return PVM_E_INVAL;
	root_bits = ipa_bits - sim_level_shift(start);
	if (root_bits > 9 + 4)
		return PVM_E_INVAL;

	/*
	 * The root is aligned to its own size (concatenated tables included);
	 * the BADDR bits below that are RES0. A root that is not aligned
	 * would be walked by hardware at a different address than meant.
	 */
	root_size = (1ull << root_bits) * sizeof(uint64_t);
	if (root_size < PVM_PAGE_SIZE)
		root_size = PVM_PAGE_SIZE;
	if ((vttbr & SIM_VTTBR_BADDR_MASK) & (root_size - 1))
		return PVM_E_INVAL;

	r->root = vttbr & SIM_VTTBR_BADDR_MASK;
	r->root_entries = 1ull << root_bits;
	r->ipa_bits = ipa_bits;
	r->pa_bits = ps_bits[VTCR_PS(vtcr)];
	r->start_level = start;
	/* With 8-bit VMIDs VTTBR_EL2[63:56] are RES0 and not part of the tag. */
	r->vmid = (uint16_t)((vtcr & VTCR_VS) ? vttbr >> 48 : (vttbr >> 48) & 0xff);
	return PVM_OK;
}

static void set_fault(struct pvm_sim_s2_result *res, uint8_t fsc, unsigned level)
{
	res->fault = true;
	res->fsc = fsc;
	res->level = level;
}

/*
 * Walk the tables for ipa (already checked against the input size).
 * Returns PVM_E_INVAL if a descriptor lies outside simulated RAM; otherwise
 * PVM_OK with either *leaf filled or res->fault set.
 */
static pvm_status_t walk(const struct sim_regime *r, uint64_t ipa, struct sim_leaf *leaf,
			 struct pvm_sim_s2_result *res)
{
	uint64_t table = r->root;
	uint64_t idx_mask = r->root_entries - 1;
	unsigned level = r->start_level;
	const uint64_t *slot;
	uint64_t desc, oa;

	/* The pseudocode reports an out-of-range TTB as a level 0 fault whatever the start level.
	 */
	if (table >> r->pa_bits) {
		set_fault(res, PVM_FSC_ADDR_SIZE(0), 0);
		return PVM_OK;
	}

	for (;;) {
		/* The root index takes every remaining IPA bit: that is how concatenation works. */
		slot = sim_descs(table + ((ipa >> sim_level_shift(level)) & idx_mask) * 8, 1);
		if (!slot)
			return PVM_E_INVAL;
		desc = sim_load_desc(slot);

		switch (sim_desc_kind(desc, level)) {
		case SIM_DESC_INVALID:
			set_fault(res, PVM_FSC_TRANSLATION(level), level);
			return PVM_OK;
		case SIM_DESC_TABLE:
			table = desc & S2D_ADDR_MASK;
			if (table >> r->pa_bits) {
				set_fault(res, PVM_FSC_ADDR_SIZE(level), level);
				return PVM_OK;
			}
			level++;
			idx_mask = SIM_PTRS_PER_TABLE - 1;
			continue;
		case SIM_DESC_LEAF:
			break;
		}

		oa = desc & sim_oa_mask(level);
		if (oa >> r->pa_bits) {
			set_fault(res, PVM_FSC_ADDR_SIZE(level), level);
			return PVM_OK;
		}
		/* No hardware AF management (VTCR_EL2.HA is rejected): AF clear always faults. */
		if (!(desc & S2D_AF)) {
			set_fault(res, PVM_FSC_ACCESS_FLAG(level), level);
			return PVM_OK;
		}
		leaf->size = 1ull << sim_level_shift(level);
		leaf->ipa_base = ipa & ~(leaf->size - 1);
		leaf->pa_base = oa;
		leaf->desc = desc;
		leaf->level = level;
		return PVM_OK;
	}
}

/*
 * Stage-2 permissions from EL1: S2AP[0] read, S2AP[1] write; with
 * FEAT_XNX, XN[1:0] = 0b00 executable at EL1 and EL0, 0b01 at EL0 only,
 * 0b10 at neither, 0b11 at EL1 only.
 */
static bool permits(uint64_t desc, enum pvm_sim_access access)
{
	unsigned xn = (unsigned)(desc >> S2D_XN_SHIFT) & 3;

	switch (access) {
	case PVM_SIM_READ:
		return desc & S2D_S2AP_R;
	case PVM_SIM_WRITE:
		return desc & S2D_S2AP_W;
	case PVM_SIM_EXEC:
		return xn == 0 || xn == 3;
	}
	return false;
}

static void fill(struct pvm_sim_s2_result *res, const struct sim_leaf *leaf, uint64_t ipa)
{
	uint64_t d = leaf->desc;

	res->level = leaf->level;
	res->pa = pvm_pa(leaf->pa_base + (ipa - leaf->ipa_base));
	res->block = leaf->size;
	res->s2ap = (uint8_t)((d >> S2D_S2AP_SHIFT) & 3);
	res->xn = (uint8_t)((d >> S2D_XN_SHIFT) & 3);
	res->memattr = (uint8_t)((d & S2D_MEMATTR_MASK) >> S2D_MEMATTR_SHIFT);
	res->sh = (uint8_t)((d & S2D_SH_MASK) >> S2D_SH_SHIFT);
	res->sw = (uint8_t)((d >> S2D_SW_SHIFT) & 0xf);
}

pvm_status_t pvm_sim_s2_translate(uint64_t vtcr, uint64_t vttbr, uint64_t ipa,
				  enum pvm_sim_access access, struct pvm_sim_s2_result *res)
{
	struct sim_regime r;
	struct sim_leaf leaf;
	pvm_status_t st;

	if (!res || (access != PVM_SIM_READ && access != PVM_SIM_WRITE && access != PVM_SIM_EXEC))
		return PVM_E_INVAL;
	st = sim_regime_decode(vtcr, vttbr, &r);
	if (st != PVM_OK)
		return st;

	memset(res, 0, sizeof(*res));
	/* Checked before any lookup: it depends on the registers, not on the tables. */
	if (ipa >> r.ipa_bits) {
		set_fault(res, PVM_FSC_TRANSLATION(0), 0);
		return PVM_OK;
	}

	sim_lock();
	if (sim_tlb_lookup(r.vmid, ipa, &leaf)) {
		sim_m.stats.tlb_hits++;
		res->from_tlb = true;
	} else {
		sim_m.stats.tlb_misses++;
		st = walk(&r, ipa, &leaf, res);
		if (st != PVM_OK || res->fault) {
			sim_unlock();
			return st;
		}
		/*
		 * The leaf is cached even if this access fails its permission
		 * check: hardware may hold a valid entry whatever its
		 * permissions. Faulting walks are never cached.
		 */
		sim_tlb_insert(r.vmid, &leaf);
	}
	sim_unlock();

	fill(res, &leaf, ipa);
	if (!permits(leaf.desc, access))
		set_fault(res, PVM_FSC_PERMISSION(leaf.level), leaf.level);
	return PVM_OK;
}
