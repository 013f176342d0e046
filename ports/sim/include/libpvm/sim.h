/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file sim.h
 * @brief The simulated machine: a test instrument for the portable core.
 *
 * The simulator port runs the core in an ordinary host process. It is not a
 * mock: it is strict where hardware is strict, so that the bugs hardware
 * would punish show up in unit tests.
 *
 * - **Physical memory** is one large array reserved lazily (`MAP_NORESERVE`),
 *   so a machine of several GiB costs nothing until touched. Physical
 *   addresses index it.
 * - **The stage-2 MMU** is a walker written from the architecture's
 *   translation algorithm, independently of `src/stage2.c`. It starts from
 *   the `VTCR_EL2` and `VTTBR_EL2` values, reads the descriptors from
 *   simulated memory and returns the output address, permissions and
 *   memory type, or a fault with its architectural fault status code.
 * - **The TLB model** keeps every translation it has handed out until the
 *   core invalidates it through pvm_port_tlbi_ipa() or pvm_port_tlbi_vmid():
 *   a missing invalidation shows up as a stale translation, as on hardware.
 *   An invalidation by IPA whose level hint is not the level of the cached
 *   leaf leaves the entry in place, as hardware may.
 * - **The break-before-make checker** watches stage-2 regimes and reports a
 *   valid descriptor replaced by a valid descriptor with a different output
 *   address, memory type, shareability or size (or a table by a leaf, or by
 *   another table), unless an invalid descriptor was observed by a TLB
 *   invalidation in between.
 *
 * A core bug that the port sees in a hook stops the process with abort()
 * and a message on stderr, as a wild access would on hardware: a physical
 * address outside RAM given to pvm_port_phys_to_virt() (or a pointer
 * outside RAM to pvm_port_virt_to_phys()), a lock taken twice by one
 * thread or released by a thread that does not hold it, a TLBI level hint
 * that is neither 0-3 nor ::PVM_TLBI_LEVEL_ANY.
 *
 * The simulator is one machine per process. pvm_sim_init() and
 * pvm_sim_fini() must not race with anything else; the other functions and
 * the port hooks are serialised by an internal lock, so vCPU threads may
 * translate and invalidate concurrently.
 */
#ifndef LIBPVM_SIM_H
#define LIBPVM_SIM_H

#include <libpvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Default first physical address of simulated RAM (as QEMU `virt`). */
#define PVM_SIM_RAM_BASE_DEFAULT 0x40000000ull

/** @brief Shape of the simulated machine. */
struct pvm_sim_config {
	uint64_t ram_base; /**< First physical address of RAM; page aligned. */
	uint64_t ram_size; /**< Bytes of RAM; a non-zero multiple of the page size. */
};

/**
 * @brief Create the simulated machine (replacing any previous one).
 * @param cfg RAM base and size.
 * @return ::PVM_OK; ::PVM_E_INVAL for a bad configuration; ::PVM_E_NOMEM
 *         if the host cannot reserve the address space.
 *
 * RAM reads as zero until written. The TLB model starts enabled, with no
 * regime watched by the break-before-make checker and all counters zero.
 */
pvm_status_t pvm_sim_init(const struct pvm_sim_config *cfg);

/** @brief Destroy the simulated machine and release its memory. */
void pvm_sim_fini(void);

/**
 * @brief First physical address of simulated RAM.
 * @return The base given to pvm_sim_init().
 */
uint64_t pvm_sim_ram_base(void);

/**
 * @brief Size of simulated RAM in bytes.
 * @return The size given to pvm_sim_init().
 */
uint64_t pvm_sim_ram_size(void);

/**
 * @brief Host pointer to simulated physical memory.
 * @param pa   Start physical address.
 * @param size Bytes that must all lie inside RAM.
 * @return The pointer, or NULL if [pa, pa+size) is not entirely RAM.
 */
void *pvm_sim_ram(pvm_paddr_t pa, uint64_t size);

/**
 * @brief Carve pages out of simulated RAM for a test or a sample to use
 *        (a bump allocator from the top of RAM; never freed).
 * @param npages     Pages wanted, at least one.
 * @param align_pages Alignment of the first page, in pages (a power of two).
 * @param[out] pa    Physical address of the first page.
 * @return ::PVM_OK; ::PVM_E_INVAL for bad arguments (an alignment beyond
 *         the 48-bit physical address space included); ::PVM_E_NOMEM when
 *         RAM is exhausted or there is no machine.
 */
pvm_status_t pvm_sim_carve(uint64_t npages, uint64_t align_pages, pvm_paddr_t *pa);

/**
 * @brief Frequency of the simulated CPUs' generic timer (CNTFRQ_EL0), in Hz:
 *        Unicorn's, a 16 ns period.
 */
#define PVM_SIM_COUNTER_HZ 62500000ull

/**
 * @brief The simulated CPUs' virtual count now (CNTVCT_EL0 of every binary
 *        guest; CNTVOFF is 0): CLOCK_MONOTONIC at ::PVM_SIM_COUNTER_HZ.
 *
 * What a VMM compares a ::PVM_EXIT_WFI deadline with. Any thread.
 * @return The count, in ticks of ::PVM_SIM_COUNTER_HZ.
 */
uint64_t pvm_sim_counter(void);

/**
 * @brief When the virtual count reaches @p count: CLOCK_MONOTONIC time in
 *        nanoseconds (UINT64_MAX if it never will), for a timed wait.
 * @param count A count, e.g. a WFI exit's deadline.
 * @return Nanoseconds of CLOCK_MONOTONIC.
 */
uint64_t pvm_sim_counter_ns(uint64_t count);

/** @brief Kind of memory access the simulated MMU checks. */
enum pvm_sim_access {
	PVM_SIM_READ = 0,  /**< Data read. */
	PVM_SIM_WRITE = 1, /**< Data write. */
	PVM_SIM_EXEC = 2,  /**< Instruction fetch (from EL1). */
};

/**
 * @defgroup sim_fsc Architectural fault status codes (ESR_ELx.ISS DFSC/IFSC)
 * @{
 */
#define PVM_FSC_ADDR_SIZE(l)   (0x00u + (l)) /**< Address size fault, level l (0-3). */
#define PVM_FSC_TRANSLATION(l) (0x04u + (l)) /**< Translation fault, level l (0-3). */
#define PVM_FSC_ACCESS_FLAG(l) (0x08u + (l)) /**< Access flag fault, level l (0-3). */
#define PVM_FSC_PERMISSION(l)  (0x0cu + (l)) /**< Permission fault, level l (0-3). */
/** @} */

/** @brief Result of one stage-2 translation by the simulated MMU. */
struct pvm_sim_s2_result {
	bool fault;	 /**< The access faults; only fsc and level are meaningful. */
	uint8_t fsc;	 /**< Fault status code (::PVM_FSC_TRANSLATION and friends). */
	unsigned level;	 /**< Level of the leaf entry, or of the faulting entry. */
	pvm_paddr_t pa;	 /**< Output address of the access. */
	uint64_t block;	 /**< Size of the leaf's range: 4 KiB, 2 MiB or 1 GiB. */
	uint8_t s2ap;	 /**< S2AP[1:0] of the leaf: bit 0 read, bit 1 write. */
	uint8_t xn;	 /**< XN[1:0] of the leaf. */
	uint8_t memattr; /**< MemAttr[3:0] of the leaf. */
	uint8_t sh;	 /**< SH[1:0] of the leaf. */
	uint8_t sw;	 /**< Software bits 58:55 of the leaf. */
	bool from_tlb;	 /**< The translation came from the TLB model. */
};

/**
 * @brief Translate an IPA with the simulated stage-2 MMU.
 * @param vtcr   `VTCR_EL2` value (T0SZ, SL0, TG0 must describe a 4 KiB regime).
 * @param vttbr  `VTTBR_EL2` value (root address and VMID).
 * @param ipa    The input address.
 * @param access Read, write or execute.
 * @param[out] res The result.
 * @return ::PVM_OK when @p res is filled (faulting or not); ::PVM_E_INVAL
 *         for a NULL @p res or an unknown @p access, if @p vtcr describes
 *         something the simulator does not model, or if a descriptor the
 *         walk reads lies outside RAM.
 *
 * Not modelled (::PVM_E_INVAL): IPA sizes outside 32-48 bits, TG0 other
 * than 4 KiB, PS above 48 bits, SL0 = 3, an SL0 inconsistent with T0SZ
 * (the start level must resolve 1 to 13 bits: at most 16 concatenated
 * root tables), a root not aligned to its size, and the `VTCR_EL2` bits
 * HA, HD, DS, S2PIE, S2POE and D128. Bit 0 of @p vttbr (CnP) is ignored;
 * with `VTCR_EL2.VS` = 0 the VMID is `VTTBR_EL2[55:48]`.
 *
 * Faults follow the architecture's order and levels: an IPA at or above
 * 2^(64 - T0SZ) is a level 0 translation fault, a root at or above 2^PS a
 * level 0 address size fault; then, at the level of the descriptor
 * concerned, an invalid or reserved descriptor (0b01 at levels 0 and 3) is
 * a translation fault, a next-table or output address at or above 2^PS an
 * address size fault, AF clear an access flag fault, and a missing S2AP
 * bit or an XN[1:0] of 0b01 or 0b10 for @p access a permission fault. For
 * a permission fault the leaf fields of @p res are filled too.
 *
 * When the TLB model is on, a cached translation for (VMID, IPA) is used
 * without reading the tables; otherwise the leaf the walk found is cached,
 * even if this access fails its permission check (a walk that faults is
 * never cached, as the architecture forbids caching invalid entries).
 * Permission checks use the cached attributes either way.
 */
pvm_status_t pvm_sim_s2_translate(uint64_t vtcr, uint64_t vttbr, uint64_t ipa,
				  enum pvm_sim_access access, struct pvm_sim_s2_result *res);

/**
 * @brief Read or write memory through a stage-2, as a CPU of that regime would.
 * @param vtcr  `VTCR_EL2` of the regime (the host's, or a guest's).
 * @param vttbr `VTTBR_EL2` of the regime.
 * @param ipa   First address, any alignment.
 * @param buf   Data to write, or where to read into.
 * @param len   Bytes.
 * @param write true to write, false to read.
 * @param[out] fault On ::PVM_E_PERM, the fault (may be NULL).
 * @return ::PVM_OK; ::PVM_E_PERM when an access faults (the pages before
 *         the faulting one have been accessed, as on hardware);
 *         ::PVM_E_INVAL for a regime the MMU cannot walk or an output
 *         address outside simulated RAM.
 *
 * Each page is translated with pvm_sim_s2_translate(), so the TLB model
 * applies: this is how tests play the host or a guest touching memory.
 */
pvm_status_t pvm_sim_s2_copy(uint64_t vtcr, uint64_t vttbr, uint64_t ipa, void *buf, size_t len,
			     bool write, struct pvm_sim_s2_result *fault);

/**
 * @brief Switch the TLB model on or off (off: every translation walks the
 *        tables). Switching drops every cached entry.
 * @param on true to cache translations.
 */
void pvm_sim_tlb_enable(bool on);

/** @brief pvm_sim_host_access() of a page the core never reported. */
#define PVM_SIM_HOST_ACCESS_UNKNOWN 0xffu

/**
 * @brief What the core last told the port the host may do on a page
 *        (pvm_port_host_access()).
 * @param pa A physical address in RAM.
 * @return The ::PVM_PROT_R / _W / _X bits (0: none), or
 *         ::PVM_SIM_HOST_ACCESS_UNKNOWN (never reported, or not RAM).
 *
 * The simulator's host runs on the host stage-2 itself, so it needs no
 * copy of it; it records the calls so that tests can prove that a port
 * which does need one (KVM's view of memory in the VMM process) would
 * always hold exactly the host stage-2.
 */
unsigned pvm_sim_host_access(pvm_paddr_t pa);

/** @brief Drop every cached translation (as at reset). */
void pvm_sim_tlb_reset(void);

/** @brief Counters kept by the simulated machine. */
struct pvm_sim_stats {
	uint64_t tlbi_ipa;		   /**< pvm_port_tlbi_ipa() calls. */
	uint64_t tlbi_vmid;		   /**< pvm_port_tlbi_vmid() calls. */
	uint64_t tlb_hits;		   /**< Translations served by the TLB model. */
	uint64_t tlb_misses;		   /**< Translations that walked the tables. */
	uint64_t dcache_cleans;		   /**< pvm_port_dcache_clean_poc() calls. */
	uint64_t dcache_clean_bytes;	   /**< Bytes those calls cleaned. */
	uint64_t dcache_clean_invals;	   /**< pvm_port_dcache_clean_inval_poc() calls. */
	uint64_t dcache_clean_inval_bytes; /**< Bytes those calls cleaned and invalidated. */
	uint64_t icache_invals;		   /**< pvm_port_icache_inval_pou() calls. */
	uint64_t icache_inval_bytes;	   /**< Bytes those calls invalidated. */
	uint64_t bbm_violations;	   /**< Break-before-make violations found. */
};

/**
 * @brief Read the counters.
 * @param[out] st Where to copy them.
 */
void pvm_sim_get_stats(struct pvm_sim_stats *st);

/** @brief Set every counter to zero. */
void pvm_sim_reset_stats(void);

/**
 * @brief Watch a regime with the break-before-make checker.
 * @param vtcr  `VTCR_EL2` value of the regime.
 * @param vttbr `VTTBR_EL2` value (root and VMID; one watched regime per VMID).
 * @return ::PVM_OK; ::PVM_E_INVAL for a regime the MMU cannot walk or a
 *         root table outside RAM; ::PVM_E_EXISTS if the VMID is already
 *         watched; ::PVM_E_NOMEM.
 *
 * The current descriptors are taken as the observed state. From then on,
 * every TLB invalidation observes the descriptors it covers: those on the
 * current walk path of the IPA at the hinted level (every level for
 * ::PVM_TLBI_LEVEL_ANY) for pvm_port_tlbi_ipa(), every reachable one for
 * pvm_port_tlbi_vmid(). A level hint names a leaf's level (TTL): an
 * invalidation with one does not observe a table descriptor that was
 * replaced at that level (a CPU's walk cache may keep it). pvm_sim_bbm_check() observes all of
 * them, but does not take a valid-to-invalid change as observed: until an invalidation sees the
 * invalid descriptor, the old translation may still be in a TLB. When an invalidation sees a table
 * descriptor replaced, the old table's entries are forgotten, so its page may be reused.
 * Permission, AF, XN and software bits may change in place, and so may
 * the IGNORED bits of a table descriptor.
 */
pvm_status_t pvm_sim_bbm_watch(uint64_t vtcr, uint64_t vttbr);

/**
 * @brief Stop watching a VMID.
 * @param vmid The VMID.
 */
void pvm_sim_bbm_unwatch(uint16_t vmid);

/**
 * @brief Observe every descriptor of every watched regime now.
 * @return The number of violations found by this check (also added to the
 *         ::pvm_sim_stats counter).
 *
 * Call it after each core operation: a valid-to-valid change made without
 * break-before-make, that no invalidation has observed yet, is found here.
 */
unsigned pvm_sim_bbm_check(void);

/**
 * @brief Description of the most recent violation.
 * @return A static string ("" if there was none).
 */
const char *pvm_sim_bbm_last(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_SIM_H */
