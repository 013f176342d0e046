/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file pool.h
 * @brief Page pools: the only source of memory the core uses.
 *
 * libpvm has no allocator of its own. Every page the core writes for its
 * own use (stage-2 tables now; VM and metadata pages later) comes out of a
 * pool that the caller has filled with pages it donated. When a pool runs
 * dry the calling operation fails with ::PVM_E_NOMEM, reports how many pages
 * it is short of, and changes nothing; the caller donates that many and
 * calls again (pKVM's memcache model).
 *
 * Free pages are kept as a list of extents threaded through the free pages
 * themselves, so a pool costs nothing beyond this small struct and donating
 * a large range touches one page. A pool is not locked: its owner's lock
 * protects it.
 */
#ifndef LIBPVM_POOL_H
#define LIBPVM_POOL_H

#include <libpvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A pool of free pages. Fields are private; use the functions. */
struct pvm_pool {
	uint64_t head;	   /**< PA of the first free extent, or ~0 when empty. */
	size_t free_pages; /**< Pages now free in the pool. */
};

/**
 * @brief Make @p pool empty.
 * @param pool The pool to initialise.
 */
void pvm_pool_init(struct pvm_pool *pool);

/**
 * @brief Give pages to a pool.
 * @param pool   The pool.
 * @param pa     Physical address of the first page; page aligned.
 * @param npages Number of contiguous pages, at least one.
 * @return ::PVM_OK; ::PVM_E_INVAL if @p pa is not page aligned or @p npages
 *         is zero; ::PVM_E_RANGE if the range wraps around the address space.
 *
 * The pages must be memory the port can reach through
 * pvm_port_phys_to_virt() and that nobody else uses any more: validating
 * that is the job of the ownership layer that calls this.
 */
pvm_status_t pvm_pool_donate(struct pvm_pool *pool, pvm_paddr_t pa, size_t npages);

/**
 * @brief Number of free pages in a pool.
 * @param pool The pool.
 * @return How many pages pvm_pool_alloc() can still hand out.
 */
size_t pvm_pool_free_pages(const struct pvm_pool *pool);

/**
 * @brief Take one zeroed page out of a pool.
 * @param pool The pool.
 * @param[out] pa Physical address of the page.
 * @return ::PVM_OK, or ::PVM_E_NOMEM when the pool is empty (@p pa untouched).
 */
pvm_status_t pvm_pool_alloc(struct pvm_pool *pool, pvm_paddr_t *pa);

/**
 * @brief Return one page to a pool.
 * @param pool The pool.
 * @param pa   A page previously taken from a pool.
 */
void pvm_pool_free(struct pvm_pool *pool, pvm_paddr_t pa);

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_POOL_H */
