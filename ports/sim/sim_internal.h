/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared between the files of the simulator port; not installed.
 *
 * The descriptor layout below is taken from the architecture (VMSAv8-64,
 * stage 2, 4 KiB granule), not from the core's headers: the simulator is
 * the independent second reading of the specification that the core's
 * tables are checked against.
 */
#ifndef PVM_SIM_INTERNAL_H
#define PVM_SIM_INTERNAL_H

#include <libpvm/port.h>
#include <libpvm/sim.h>

#define SIM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Output addresses are at most 48 bits without FEAT_LPA/LPA2. */
#define SIM_PA_BITS_MAX	   48
#define SIM_PTRS_PER_TABLE 512u
#define SIM_LAST_LEVEL	   3u

/* Stage-2 descriptor fields. */
#define S2D_VALID	  (1ull << 0)
#define S2D_TYPE_MASK	  0x3ull
#define S2D_TYPE_BLOCK	  0x1ull /* levels 1 and 2 only */
#define S2D_TYPE_TABLE	  0x3ull /* "page" at level 3 */
#define S2D_MEMATTR_SHIFT 2
#define S2D_MEMATTR_MASK  (0xfull << S2D_MEMATTR_SHIFT)
#define S2D_S2AP_SHIFT	  6
#define S2D_S2AP_R	  (1ull << 6)
#define S2D_S2AP_W	  (1ull << 7)
#define S2D_SH_SHIFT	  8
#define S2D_SH_MASK	  (0x3ull << S2D_SH_SHIFT)
#define S2D_AF		  (1ull << 10)
#define S2D_ADDR_MASK	  0x0000fffffffff000ull /* bits 47:12 */
#define S2D_CONTIG	  (1ull << 52)
#define S2D_XN_SHIFT	  53
#define S2D_SW_SHIFT	  55

/* Bits 47:1 of VTTBR_EL2 hold the root address; bit 0 is CnP. */
#define SIM_VTTBR_BADDR_MASK 0x0000fffffffffffeull

/* Number of IPA bits below the ones a level resolves. */
static inline unsigned sim_level_shift(unsigned level)
{
	return 12 + 9 * (SIM_LAST_LEVEL - level);
}

/* Bits 47:shift of a leaf descriptor: its output address. */
static inline uint64_t sim_oa_mask(unsigned level)
{
	return S2D_ADDR_MASK & ~((1ull << sim_level_shift(level)) - 1);
}

/* What a descriptor means at a level. */
enum sim_desc_kind {
	SIM_DESC_INVALID, /* bit 0 clear, or a reserved encoding */
	SIM_DESC_TABLE,	  /* next-level table, levels 0-2 */
	SIM_DESC_LEAF,	  /* block (levels 1-2) or page (level 3) */
};

/*
 * 0b01 is a block only at levels 1 and 2 with a 4 KiB granule: at level 0
 * (no FEAT_LPA2) and at level 3 the encoding is reserved and the walk takes
 * a translation fault on it, so it counts as invalid here too.
 */
static inline enum sim_desc_kind sim_desc_kind(uint64_t desc, unsigned level)
{
	if (!(desc & S2D_VALID))
		return SIM_DESC_INVALID;
	if ((desc & S2D_TYPE_MASK) == S2D_TYPE_TABLE)
		return level == SIM_LAST_LEVEL ? SIM_DESC_LEAF : SIM_DESC_TABLE;
	if (level == 0 || level == SIM_LAST_LEVEL)
		return SIM_DESC_INVALID;
	return SIM_DESC_LEAF;
}

/* A stage-2 regime as decoded from VTCR_EL2/VTTBR_EL2. */
struct sim_regime {
	uint64_t root;	       /* PA of the first root table page */
	uint64_t root_entries; /* entries in the (concatenated) root table */
	unsigned ipa_bits;     /* 64 - T0SZ */
	unsigned pa_bits;      /* from PS */
	unsigned start_level;  /* from SL0 */
	uint16_t vmid;
};

/* The leaf a walk found: what the TLB model caches. */
struct sim_leaf {
	uint64_t ipa_base; /* first IPA of the leaf's range */
	uint64_t size;	   /* 4 KiB, 2 MiB or 1 GiB */
	uint64_t pa_base;  /* output address of ipa_base */
	uint64_t desc;	   /* the descriptor, for its attributes */
	unsigned level;
};

/* The machine (sim.c). ram == NULL when there is none. */
struct sim_machine {
	uint8_t *ram;
	uint64_t ram_base;
	uint64_t ram_size;
	uint64_t carve_top;   /* the bump allocator moves down from the top */
	uint8_t *host_access; /* per page: the last pvm_port_host_access() prot, or 0xff */
	struct pvm_sim_stats stats;
};

extern struct sim_machine sim_m;

/* Report a bug of the code under test and stop (the simulator is a test instrument). */
void sim_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * One lock serialises the TLB model, the checker and the counters, so that
 * the port hooks may be called from several host threads as the core's
 * callers run vCPUs on threads. Not recursive.
 */
void sim_lock(void);
void sim_unlock(void);

/* Host pointer to n descriptors at pa, or NULL if they are not all RAM. */
const uint64_t *sim_descs(uint64_t pa, uint64_t n);

/* A single-copy-atomic 64-bit read, as the hardware walker does. */
static inline uint64_t sim_load_desc(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* sim_mmu.c */
pvm_status_t sim_regime_decode(uint64_t vtcr, uint64_t vttbr, struct sim_regime *r);

/* sim_tlb.c */
void sim_tlb_setup(bool on);
bool sim_tlb_lookup(uint16_t vmid, uint64_t ipa, struct sim_leaf *leaf);
void sim_tlb_insert(uint16_t vmid, const struct sim_leaf *leaf);

/* sim_bbm.c; called with the sim lock held. */
void sim_bbm_tlbi_ipa(uint16_t vmid, uint64_t ipa, unsigned level);
void sim_bbm_tlbi_vmid(uint16_t vmid);
void sim_bbm_reset(void);

/* Detach every guest CPU (pvm_sim_fini()). */
void sim_vcpu_detach_all(void);

#endif /* PVM_SIM_INTERNAL_H */
