/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file hyp.h
 * @brief The hypervisor object: what pvm_hyp_init() builds and every other
 *        call of the core takes.
 *
 * One `struct pvm_hyp` owns everything the hypervisor keeps: the page metadata,
 * the host's stage-2, the table pool, the VM table and the attestation
 * state with its secrets. Its layout is private to the core, and it lives
 * in the hypervisor's own memory: at the start of the carve-out the caller
 * gives pvm_hyp_init(), followed by the metadata (8 bytes a page) and the
 * host stage-2 root; the carve-out's remaining pages feed the pool. The
 * caller keeps only the pointer, and the host reaches none of it (the
 * carve-out is absent from the host's stage-2).
 */
#ifndef LIBPVM_HYP_H
#define LIBPVM_HYP_H

#include <libpvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The hypervisor (opaque). */
struct pvm_hyp;

/** @brief Where managed memory and the hypervisor's carve-out are. */
struct pvm_hyp_config {
	uint64_t ram_base; /**< First byte of managed RAM; page aligned. */
	uint64_t ram_size; /**< Bytes of managed RAM; a multiple of the page size. */
	uint64_t hyp_base; /**< The hypervisor's own pages, inside RAM; page aligned. */
	uint64_t hyp_size; /**< Bytes: the object, metadata, host stage-2 root and pool. */
	unsigned pa_bits;  /**< PA size (and the host's IPA size): 32-48 as in stage2.h. */
};

/**
 * @brief Fewest carve-out pages pvm_hyp_init() accepts for a RAM size.
 * @param ram_size Bytes of managed RAM (a multiple of the page size).
 * @param pa_bits  PA size, 32-48.
 * @return Pages for the object, the metadata and the host stage-2 root
 *         wherever the carve-out starts; 0 for an invalid argument.
 *
 * The host stage-2's tables come from the pool: add pages for them (at
 * least the `need` pvm_hyp_init() reports, a few for a RAM of aligned
 * blocks) and for the VMs' tables.
 */
uint64_t pvm_hyp_carveout_pages(uint64_t ram_size, unsigned pa_bits);

/**
 * @brief Take over managed memory: build the hypervisor object, the page
 *        metadata and the host stage-2 in the carve-out.
 * @param cfg Managed RAM and the carve-out.
 * @param[out] hyp The hypervisor, on ::PVM_OK (NULL otherwise).
 * @param[out] need On ::PVM_E_NOMEM, how many more carve-out pages the host
 *             stage-2 would need (may be NULL).
 * @return ::PVM_OK; ::PVM_E_INVAL for NULL or a bad or inconsistent
 *         configuration (carve-out outside RAM, misaligned, fewer pages than
 *         pvm_hyp_carveout_pages()); ::PVM_E_NOMEM.
 *
 * Every page outside the carve-out starts host OWNED and identity-mapped
 * in the host stage-2. Called once, at boot, before the host runs; after a
 * failure it may be called again with a larger carve-out.
 */
pvm_status_t pvm_hyp_init(const struct pvm_hyp_config *cfg, struct pvm_hyp **hyp, size_t *need);

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_HYP_H */
