/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file stage2.h
 * @brief Stage-2 translation tables in the ARMv8-A VMSAv8-64 format.
 *
 * The tables built here are the ones the hardware walks: the EL2 port loads
 * pvm_stage2_vttbr() into `VTTBR_EL2` and pvm_stage2_vtcr() into `VTCR_EL2`;
 * the simulator's MMU walks the same bytes with its own, independent walker.
 *
 * Geometry: 4 KiB granule; IPA sizes of 32 to 48 bits. The start level and
 * the number of concatenated root tables (1 to 16 pages) follow from the IPA
 * size as the architecture allows: the fewest levels such that the root
 * resolves at most 4 bits more than one table would (`VTCR_EL2.SL0/T0SZ`).
 *
 * Descriptor format (leaf = level-1/2 block or level-3 page):
 * | bits  | meaning                                              |
 * |-------|------------------------------------------------------|
 * | 1:0   | 0b11 table (levels 0-2) or page (level 3); 0b01 block |
 * | 5:2   | MemAttr: 0b1111 Normal WB, 0b0001 Device-nGnRE       |
 * | 7:6   | S2AP: bit 6 read, bit 7 write                        |
 * | 9:8   | SH: 0b11 inner shareable                             |
 * | 10    | AF, always set (no hardware access-flag management)  |
 * | 47:12 | output address                                       |
 * | 54:53 | XN[1:0]: 0b10 when not executable                    |
 * | 58:55 | software bits (::PVM_PROT_SW)                        |
 *
 * Table descriptors keep, in their IGNORED bits 7:2 (count bits 5:0) and
 * 58:55 (count bits 9:6), the number of non-empty entries of the table
 * they point to, so that empty tables are found and freed without scanning
 * them; bits 9:8 (FEAT_LPA2's address bits 51:50) and 10 (FEAT_HAFT's AF)
 * stay clear. An invalid descriptor (bit 0
 * clear) may carry an owner annotation in bits 9:2 (pvm_stage2_annotate()).
 *
 * Rules the engine keeps:
 * - **Break-before-make.** A valid descriptor is never replaced by a valid
 *   descriptor with a different output address, memory type, shareability
 *   or size: it is invalidated, the TLB entry is invalidated through the
 *   port, then the new descriptor is written. Permission-only changes are
 *   written in place (the architecture allows it) and then invalidated.
 * - **Check, then commit.** Every operation first walks the range, checks
 *   it and counts the table pages it will need; if anything is wrong, or
 *   the pool is short, it returns an error and has changed nothing.
 * - **One walker.** Map, unmap, protect, annotate and the public
 *   pvm_stage2_walk() are visitors over a single walker; a range inside one
 *   existing last-level table (a guest fault's single page) goes straight to
 *   that table and uses the same visitors. That fast path, the
 *   single-page path of the memory code and pvm_stage2_lookup() share one
 *   descent to a single IPA.
 *
 * Locking: a ::pvm_stage2 and its pool are protected by the caller's lock;
 * no function here takes a lock. All functions are for hypervisor-internal
 * callers, which validate host and guest input before it gets here; the
 * functions still validate every argument and never trust the range.
 */
#ifndef LIBPVM_STAGE2_H
#define LIBPVM_STAGE2_H

#include <libpvm/pool.h>
#include <libpvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Smallest IPA size, in bits, that a stage-2 table may have. */
#define PVM_S2_IPA_BITS_MIN 32
/** @brief Largest IPA size, in bits (52 needs FEAT_LPA2, not supported yet). */
#define PVM_S2_IPA_BITS_MAX 48
/** @brief Most pages a concatenated root table can take. */
#define PVM_S2_ROOT_PAGES_MAX 16
/** @brief Entries in one table page. */
#define PVM_S2_PTRS_PER_TABLE 512

/** @brief Map flag: use only level-3 page mappings, never blocks. */
#define PVM_S2_MAP_PAGES (1u << 0)

/** @brief Largest owner value pvm_stage2_annotate() can store. */
#define PVM_S2_OWNER_MAX 0xffu

/**
 * @brief One stage-2 translation regime (one VM's, or the host's).
 *
 * The fields are private but public so that the structure can live in
 * caller memory (libpvm allocates nothing). Read them only through the
 * functions, except table_pages for statistics.
 */
struct pvm_stage2 {
	pvm_paddr_t root;      /**< Root table (1-16 contiguous, aligned pages). */
	struct pvm_pool *pool; /**< Where table pages come from and go back to. */
	uint64_t ipa_limit;    /**< 1 << ipa_bits. */
	uint32_t table_pages;  /**< Non-root table pages in use. */
	uint16_t vmid;	       /**< VMID tagging this regime's TLB entries. */
	uint8_t ipa_bits;      /**< IPA size, PVM_S2_IPA_BITS_MIN..MAX. */
	uint8_t pa_bits;       /**< Output (physical) address size. */
	uint8_t start_level;   /**< Level of the root table, 0-2. */
	uint8_t root_pages;    /**< Concatenated root pages, 1-16. */
	/** The single-page path's cache: private to the core (its layout is not API). */
	struct {
		uint64_t opaque[3]; /**< Storage. */
	} cache;
};

/** @brief Parameters of pvm_stage2_init(). */
struct pvm_stage2_config {
	unsigned ipa_bits; /**< IPA size in bits, 32-48. */
	unsigned pa_bits;  /**< PA size in bits: 32, 36, 40, 42, 44 or 48; at least ipa_bits. */
	uint16_t vmid;	   /**< VMID (16-bit VMIDs, `VTCR_EL2.VS` = 1). */
};

/**
 * @brief Level of the root table for an IPA size.
 * @param ipa_bits IPA size in bits.
 * @return 0, 1 or 2; or -1 if @p ipa_bits is outside 32-48.
 */
int pvm_stage2_start_level(unsigned ipa_bits);

/**
 * @brief Number of concatenated root table pages for an IPA size.
 * @param ipa_bits IPA size in bits.
 * @return 1 to 16; or 0 if @p ipa_bits is outside 32-48. The root must be
 *         this many contiguous pages, aligned to their total size.
 */
unsigned pvm_stage2_root_pages(unsigned ipa_bits);

/**
 * @brief Set up an empty stage-2 regime.
 * @param s2   The structure to fill.
 * @param cfg  IPA size, PA size and VMID.
 * @param root Physical address of pvm_stage2_root_pages() contiguous pages,
 *             aligned to their total size; they are zeroed here and belong to
 *             the regime until pvm_stage2_destroy().
 * @param pool Pool the regime takes its other table pages from.
 * @return ::PVM_OK; ::PVM_E_INVAL for a NULL pointer, an unsupported size, an
 *         IPA size larger than the PA size (KVM refuses those too: the IPA
 *         space could not be backed), or a misaligned root. Nothing is
 *         written on error.
 */
pvm_status_t pvm_stage2_init(struct pvm_stage2 *s2, const struct pvm_stage2_config *cfg,
			     pvm_paddr_t root, struct pvm_pool *pool);

/**
 * @brief Unmap everything and give every non-root table page back to the pool.
 * @param s2 The regime; afterwards only pvm_stage2_init() may use it. The
 *           root pages are the caller's again.
 */
void pvm_stage2_destroy(struct pvm_stage2 *s2);

/**
 * @brief The `VTCR_EL2` value for a regime.
 * @param s2 An initialised regime.
 * @return T0SZ, SL0, IRGN0/ORGN0 = write-back, SH0 = inner shareable,
 *         TG0 = 4 KiB, PS from the PA size, VS = 16-bit VMID, RES1 bit 31.
 */
uint64_t pvm_stage2_vtcr(const struct pvm_stage2 *s2);

/**
 * @brief The `VTTBR_EL2` value for a regime: root address and VMID (bits 63:48).
 * @param s2 An initialised regime.
 * @return The register value.
 */
uint64_t pvm_stage2_vttbr(const struct pvm_stage2 *s2);

/**
 * @brief Map [ipa, ipa+size) to [pa, pa+size).
 * @param s2    The regime.
 * @param ipa   Start IPA; page aligned.
 * @param pa    Start PA; page aligned, and the range below 2^pa_bits.
 * @param size  Bytes; a non-zero multiple of the page size.
 * @param prot  ::PVM_PROT_R/W/X, ::PVM_PROT_DEVICE and ::PVM_PROT_SW bits.
 * @param flags 0 or ::PVM_S2_MAP_PAGES. Without it 1 GiB and 2 MiB blocks
 *              are used wherever the IPA and PA are both aligned.
 * @param[out] need On ::PVM_E_NOMEM, how many more pages the pool needs
 *              (may be NULL). Set to 0 otherwise.
 * @return ::PVM_OK; ::PVM_E_INVAL (misaligned, zero size, unknown bits,
 *         or ::PVM_PROT_DEVICE with ::PVM_PROT_X: device memory is never
 *         executable, so that speculative fetches cannot reach a device);
 *         ::PVM_E_RANGE (beyond the IPA or PA size, or wrapping);
 *         ::PVM_E_EXISTS if any page of the range is already mapped
 *         (mapping never replaces a valid mapping; unmap first. Invalid
 *         entries carrying an owner annotation are replaced);
 *         ::PVM_E_NOMEM. On error nothing has changed.
 */
pvm_status_t pvm_stage2_map(struct pvm_stage2 *s2, pvm_ipa_t ipa, pvm_paddr_t pa, uint64_t size,
			    pvm_prot_t prot, uint32_t flags, size_t *need);

/**
 * @brief Remove every mapping and annotation in [ipa, ipa+size).
 * @param s2   The regime.
 * @param ipa  Start IPA; page aligned.
 * @param size Bytes; a non-zero multiple of the page size.
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL).
 * @return ::PVM_OK (also when parts of the range were not mapped);
 *         ::PVM_E_INVAL; ::PVM_E_RANGE; ::PVM_E_NOMEM when a block that is
 *         only partly unmapped must be split. Table pages left empty are
 *         freed. TLB entries are invalidated per page, or for the whole VMID
 *         once a range needs more than a few invalidations.
 */
pvm_status_t pvm_stage2_unmap(struct pvm_stage2 *s2, pvm_ipa_t ipa, uint64_t size, size_t *need);

/**
 * @brief Change the permissions and software bits of mapped pages.
 * @param s2   The regime.
 * @param ipa  Start IPA; page aligned.
 * @param size Bytes; a non-zero multiple of the page size.
 * @param prot New ::PVM_PROT_R/W/X and ::PVM_PROT_SW bits. The memory type
 *             of each mapping is kept, so ::PVM_PROT_DEVICE is rejected.
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL).
 * @return ::PVM_OK; ::PVM_E_INVAL (also for ::PVM_PROT_X on a device
 *         mapping); ::PVM_E_RANGE; ::PVM_E_NOENT if any page of the range is
 *         not mapped; ::PVM_E_NOMEM when a partly covered block must be split.
 */
pvm_status_t pvm_stage2_protect(struct pvm_stage2 *s2, pvm_ipa_t ipa, uint64_t size,
				pvm_prot_t prot, size_t *need);

/**
 * @brief Unmap [ipa, ipa+size) and leave an owner annotation in the invalid entries.
 * @param s2    The regime.
 * @param ipa   Start IPA; page aligned.
 * @param size  Bytes; a non-zero multiple of the page size.
 * @param owner 1 to ::PVM_S2_OWNER_MAX; 0 is the same as pvm_stage2_unmap().
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL).
 * @return As pvm_stage2_unmap(); ::PVM_E_INVAL also for an owner above the maximum.
 *
 * Annotations let the host stage-2 remember who owns a page that the host
 * may not map (pKVM's "invalid PTE owner"); pvm_stage2_lookup() reports them.
 */
pvm_status_t pvm_stage2_annotate(struct pvm_stage2 *s2, pvm_ipa_t ipa, uint64_t size,
				 unsigned owner, size_t *need);

/**
 * @defgroup s2prep Preparing a change
 * @brief The check half of an operation, on its own.
 *
 * A caller that must change several regimes at once (the ownership layer
 * changes the host's and a guest's stage-2 in one transition) prepares
 * every change first, tops the shared pool up to the sum of the pages
 * they need, and only then commits them: with the pool that full, the
 * commits cannot fail. Each returns what the operation itself would
 * return, except that it never returns ::PVM_E_NOMEM, and changes nothing.
 * @{
 */

/**
 * @brief Check a pvm_stage2_map() and count the table pages it would take.
 * @param s2 The regime. @param ipa Start IPA. @param pa Start PA.
 * @param size Bytes. @param prot Protections. @param flags Map flags.
 * @param[out] pages Table pages the map would take from the pool.
 * @return What pvm_stage2_map() would return with an unlimited pool.
 */
pvm_status_t pvm_stage2_map_prepare(const struct pvm_stage2 *s2, pvm_ipa_t ipa, pvm_paddr_t pa,
				    uint64_t size, pvm_prot_t prot, uint32_t flags, size_t *pages);

/**
 * @brief Check a pvm_stage2_annotate() (owner 0: an unmap) and count its table pages.
 * @param s2 The regime. @param ipa Start IPA. @param size Bytes.
 * @param owner Annotation, 0 to unmap.
 * @param[out] pages Table pages it would take from the pool.
 * @return What pvm_stage2_annotate() would return with an unlimited pool.
 */
pvm_status_t pvm_stage2_annotate_prepare(const struct pvm_stage2 *s2, pvm_ipa_t ipa, uint64_t size,
					 unsigned owner, size_t *pages);

/**
 * @brief Check a pvm_stage2_protect() and count its table pages.
 * @param s2 The regime. @param ipa Start IPA. @param size Bytes.
 * @param prot New permissions and software bits.
 * @param[out] pages Table pages it would take from the pool.
 * @return What pvm_stage2_protect() would return with an unlimited pool.
 */
pvm_status_t pvm_stage2_protect_prepare(const struct pvm_stage2 *s2, pvm_ipa_t ipa, uint64_t size,
					pvm_prot_t prot, size_t *pages);
/** @} */

/** @brief What pvm_stage2_lookup() finds at an IPA. */
struct pvm_stage2_mapping {
	bool valid;	 /**< A valid page or block maps the IPA. */
	unsigned level;	 /**< Level of the entry found (leaf or invalid). */
	uint64_t base;	 /**< IPA where that entry's range starts. */
	uint64_t size;	 /**< Size of that entry's range. */
	pvm_paddr_t pa;	 /**< PA the looked-up IPA translates to (valid only). */
	pvm_prot_t prot; /**< Permissions, memory type, software bits (valid only). */
	unsigned owner;	 /**< Owner annotation (invalid only; 0 when none). */
	uint64_t desc;	 /**< The raw descriptor. */
};

/**
 * @brief Translate one IPA through the tables (no TLB involved).
 * @param s2  The regime.
 * @param ipa Any IPA (need not be aligned).
 * @param[out] out What maps it.
 * @return ::PVM_OK if mapped; ::PVM_E_NOENT if not (@p out still describes
 *         the invalid entry and its annotation); ::PVM_E_RANGE beyond the IPA
 *         size; ::PVM_E_INVAL for NULL pointers.
 */
pvm_status_t pvm_stage2_lookup(const struct pvm_stage2 *s2, pvm_ipa_t ipa,
			       struct pvm_stage2_mapping *out);

/** @brief Visit leaf entries (pages, blocks and invalid entries). */
#define PVM_S2_VISIT_LEAF (1u << 0)
/** @brief Visit table entries before descending into them. */
#define PVM_S2_VISIT_TABLE_PRE (1u << 1)
/** @brief Visit table entries after returning from them. */
#define PVM_S2_VISIT_TABLE_POST (1u << 2)

/** @brief What a read-only visitor sees of one entry. */
struct pvm_stage2_visit {
	uint64_t desc;	   /**< The descriptor. */
	uint64_t addr;	   /**< First IPA of the part of the entry inside the walked range. */
	uint64_t end;	   /**< End of that part (exclusive). */
	uint64_t base;	   /**< First IPA the whole entry covers. */
	pvm_paddr_t table; /**< PA of the table holding the entry. */
	unsigned level;	   /**< Level of the entry, 0-3. */
	unsigned kind; /**< Which ::PVM_S2_VISIT_LEAF / _TABLE_PRE / _TABLE_POST visit this is. */
};

/**
 * @brief A visitor. Return 0 to go on; anything else stops the walk and is
 *        returned by pvm_stage2_walk().
 */
typedef int (*pvm_stage2_visitor_fn)(const struct pvm_stage2_visit *visit, void *arg);

/**
 * @brief Walk [ipa, ipa+size) and show every entry to a read-only visitor.
 * @param s2    The regime.
 * @param ipa   Start IPA; page aligned.
 * @param size  Bytes; a non-zero multiple of the page size.
 * @param kinds Which visits to make (::PVM_S2_VISIT_LEAF and the others).
 * @param fn    The visitor.
 * @param arg   Passed to the visitor.
 * @return ::PVM_OK after a full walk, the visitor's non-zero value if it
 *         stopped the walk, ::PVM_E_INVAL or ::PVM_E_RANGE for bad arguments.
 */
int pvm_stage2_walk(const struct pvm_stage2 *s2, pvm_ipa_t ipa, uint64_t size, unsigned kinds,
		    pvm_stage2_visitor_fn fn, void *arg);

/**
 * @brief Encode a leaf descriptor (page at level 3, block at levels 1-2).
 * @param pa    Output address, aligned to the entry size of @p level.
 * @param prot  Permissions, memory type and software bits.
 * @param level 1, 2 or 3.
 * @return The descriptor, or 0 for an unsupported level, a misaligned or
 *         too large @p pa, unknown bits, or ::PVM_PROT_DEVICE with ::PVM_PROT_X.
 */
uint64_t pvm_stage2_encode_leaf(pvm_paddr_t pa, pvm_prot_t prot, unsigned level);

/**
 * @brief Decode the ::pvm_prot_t of a valid leaf descriptor.
 * @param desc A page or block descriptor.
 * @return Its permissions, memory type and software bits.
 */
pvm_prot_t pvm_stage2_decode_prot(uint64_t desc);

/**
 * @brief Decode what one non-table descriptor says about one IPA: the
 *        decoding pvm_stage2_lookup() does once it reached the entry, for
 *        code that walks the tables itself (the invariant checker).
 * @param desc  A leaf (page or block) or invalid descriptor.
 * @param level Level (0-3) of the entry holding it.
 * @param ipa   An IPA inside the entry's range.
 * @param out   Filled as pvm_stage2_lookup() fills it.
 * @return ::PVM_OK for a valid leaf; ::PVM_E_NOENT for an invalid
 *         descriptor (@p out carries its owner annotation); ::PVM_E_INVAL
 *         for a NULL @p out or a level above 3.
 */
pvm_status_t pvm_stage2_decode(uint64_t desc, unsigned level, pvm_ipa_t ipa,
			       struct pvm_stage2_mapping *out);

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_STAGE2_H */
