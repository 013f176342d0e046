/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Page pools. Free pages are kept as extents: the first page of each free
 * extent holds a small header (next extent, length). Allocation takes the
 * last page of the first extent, so the header stays put until the extent
 * is used up, and donating any number of pages writes one header.
 */
#include <libpvm/pool.h>
#include <libpvm/port.h>

#include <string.h>

#define POOL_NONE (~0ull)

struct extent {
	uint64_t next;	 /* PA of the next free extent, or POOL_NONE */
	uint64_t npages; /* pages in this extent, header page included */
};

static struct extent *extent_at(uint64_t pa)
{
	return pvm_port_phys_to_virt(pvm_pa(pa));
}

void pvm_pool_init(struct pvm_pool *pool)
{
	pool->head = POOL_NONE;
	pool->free_pages = 0;
}

pvm_status_t pvm_pool_donate(struct pvm_pool *pool, pvm_paddr_t pa, size_t npages)
{
	uint64_t start = pvm_pa_val(pa);
	struct extent *e;

	if (!pool || npages == 0 || (start & (PVM_PAGE_SIZE - 1)))
		return PVM_E_INVAL;
	if (npages > (POOL_NONE - start) >> PVM_PAGE_SHIFT)
		return PVM_E_RANGE;

	e = extent_at(start);
	e->next = pool->head;
	e->npages = npages;
	pool->head = start;
	pool->free_pages += npages;
	return PVM_OK;
}

size_t pvm_pool_free_pages(const struct pvm_pool *pool)
{
	return pool->free_pages;
}

pvm_status_t pvm_pool_alloc(struct pvm_pool *pool, pvm_paddr_t *pa)
{
	struct extent *e;
	uint64_t page;

	if (pool->head == POOL_NONE)
		return PVM_E_NOMEM;

	e = extent_at(pool->head);
	if (e->npages == 1) {
		page = pool->head;
		pool->head = e->next;
	} else {
		e->npages--;
		page = pool->head + (e->npages << PVM_PAGE_SHIFT);
	}
	pool->free_pages--;
	memset(pvm_port_phys_to_virt(pvm_pa(page)), 0, PVM_PAGE_SIZE);
	*pa = pvm_pa(page);
	return PVM_OK;
}

void pvm_pool_free(struct pvm_pool *pool, pvm_paddr_t pa)
{
	struct extent *e = extent_at(pvm_pa_val(pa));

	e->next = pool->head;
	e->npages = 1;
	pool->head = pvm_pa_val(pa);
	pool->free_pages++;
}
