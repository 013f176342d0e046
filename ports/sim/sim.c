/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated machine: physical memory, the PA<->VA hooks, locks, cache
 * maintenance and the counters.
 *
 * Physical memory is one anonymous mapping reserved with MAP_NORESERVE, so
 * a machine of many GiB costs only the pages a test touches. The core sees
 * it through pvm_port_phys_to_virt(), a plain offset, exactly as it sees a
 * linear map at EL2.
 */
#include "sim_internal.h"

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct sim_machine sim_m;

/* Serialises the TLB model, the checker and the counters (sim_internal.h). */
static pvm_lock_t sim_big_lock = PVM_LOCK_INIT;

void sim_die(const char *fmt, ...)
{
	va_list ap;

	fputs("libpvm sim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	abort();
}

void sim_lock(void)
{
	pvm_port_lock(&sim_big_lock);
}

void sim_unlock(void)
{
	pvm_port_unlock(&sim_big_lock);
}

static bool ram_holds(uint64_t pa, uint64_t size)
{
	uint64_t off = pa - sim_m.ram_base;

	return sim_m.ram && pa >= sim_m.ram_base && off <= sim_m.ram_size &&
	       size <= sim_m.ram_size - off;
}

const uint64_t *sim_descs(uint64_t pa, uint64_t n)
{
	/* Descriptor addresses are 8-byte aligned by construction (table base + index). */
	if (n > sim_m.ram_size / sizeof(uint64_t) || !ram_holds(pa, n * sizeof(uint64_t)))
		return NULL;
	return (const uint64_t *)(const void *)(sim_m.ram + (pa - sim_m.ram_base));
}

pvm_status_t pvm_sim_init(const struct pvm_sim_config *cfg)
{
	void *ram, *access;

	if (!cfg || cfg->ram_size == 0 || ((cfg->ram_base | cfg->ram_size) & (PVM_PAGE_SIZE - 1)))
		return PVM_E_INVAL;
	/* RAM must be addressable by a descriptor's 48-bit output address. */
	if (cfg->ram_size > (1ull << SIM_PA_BITS_MAX) ||
	    cfg->ram_base > (1ull << SIM_PA_BITS_MAX) - cfg->ram_size)
		return PVM_E_INVAL;
	if (cfg->ram_size > SIZE_MAX)
		return PVM_E_NOMEM;

	/* Reserve first, so that a failure leaves the previous machine intact. */
	ram = mmap(NULL, (size_t)cfg->ram_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED)
		return PVM_E_NOMEM;
	access = mmap(NULL, (size_t)(cfg->ram_size / PVM_PAGE_SIZE), PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (access == MAP_FAILED) {
		munmap(ram, (size_t)cfg->ram_size);
		return PVM_E_NOMEM;
	}
	memset(access, PVM_SIM_HOST_ACCESS_UNKNOWN, (size_t)(cfg->ram_size / PVM_PAGE_SIZE));

	pvm_sim_fini();
	sim_lock();
	sim_m.ram = ram;
	sim_m.ram_base = cfg->ram_base;
	sim_m.ram_size = cfg->ram_size;
	sim_m.carve_top = cfg->ram_base + cfg->ram_size;
	sim_m.host_access = access;
	memset(&sim_m.stats, 0, sizeof(sim_m.stats));
	sim_tlb_setup(true);
	sim_bbm_reset();
	sim_unlock();
	return PVM_OK;
}

void pvm_sim_fini(void)
{
	/* The guest CPUs go first: they read RAM and take the lock below. */
	sim_vcpu_detach_all();
	sim_lock();
	if (sim_m.ram)
		munmap(sim_m.ram, (size_t)sim_m.ram_size);
	if (sim_m.host_access)
		munmap(sim_m.host_access, (size_t)(sim_m.ram_size / PVM_PAGE_SIZE));
	sim_bbm_reset();
	sim_tlb_setup(true);
	memset(&sim_m, 0, sizeof(sim_m));
	sim_unlock();
}

uint64_t pvm_sim_ram_base(void)
{
	return sim_m.ram_base;
}

uint64_t pvm_sim_ram_size(void)
{
	return sim_m.ram_size;
}

void *pvm_sim_ram(pvm_paddr_t pa, uint64_t size)
{
	uint64_t v = pvm_pa_val(pa);

	if (!ram_holds(v, size))
		return NULL;
	return sim_m.ram + (v - sim_m.ram_base);
}

pvm_status_t pvm_sim_carve(uint64_t npages, uint64_t align_pages, pvm_paddr_t *pa)
{
	uint64_t bytes, align, start;

	/* An alignment beyond the 48-bit PA space cannot be meant. */
	if (!pa || npages == 0 || align_pages == 0 || (align_pages & (align_pages - 1)) ||
	    align_pages > (1ull << (SIM_PA_BITS_MAX - PVM_PAGE_SHIFT)))
		return PVM_E_INVAL;

	sim_lock();
	/* Without a machine carve_top == ram_base == 0: nothing to carve. */
	if (npages > (sim_m.carve_top - sim_m.ram_base) >> PVM_PAGE_SHIFT) {
		sim_unlock();
		return PVM_E_NOMEM;
	}
	bytes = npages << PVM_PAGE_SHIFT;
	align = align_pages << PVM_PAGE_SHIFT;
	start = (sim_m.carve_top - bytes) & ~(align - 1);
	if (start < sim_m.ram_base) {
		sim_unlock();
		return PVM_E_NOMEM;
	}
	sim_m.carve_top = start;
	sim_unlock();
	*pa = pvm_pa(start);
	return PVM_OK;
}

void pvm_sim_get_stats(struct pvm_sim_stats *st)
{
	if (!st)
		return;
	sim_lock();
	*st = sim_m.stats;
	sim_unlock();
}

void pvm_sim_reset_stats(void)
{
	sim_lock();
	memset(&sim_m.stats, 0, sizeof(sim_m.stats));
	sim_unlock();
}

/*
 * A PA outside RAM here means the core followed an address it does not
 * manage (a corrupt descriptor, a pool fed garbage): on hardware that is a
 * wild access, so stop with a clear message rather than let it corrupt
 * the host process.
 */
void *pvm_port_phys_to_virt(pvm_paddr_t pa)
{
	uint64_t v = pvm_pa_val(pa);

	if (!sim_m.ram || v < sim_m.ram_base || v - sim_m.ram_base >= sim_m.ram_size)
		sim_die("pvm_port_phys_to_virt: PA 0x%llx is outside simulated RAM "
			"[0x%llx, 0x%llx): core bug",
			(unsigned long long)v, (unsigned long long)sim_m.ram_base,
			(unsigned long long)(sim_m.ram_base + sim_m.ram_size));
	return sim_m.ram + (v - sim_m.ram_base);
}

pvm_paddr_t pvm_port_virt_to_phys(const void *va)
{
	uintptr_t p = (uintptr_t)va;
	uintptr_t base = (uintptr_t)sim_m.ram;

	if (!sim_m.ram || p < base || p - base >= sim_m.ram_size)
		sim_die("pvm_port_virt_to_phys: %p is not in simulated RAM: core bug", va);
	return pvm_pa(sim_m.ram_base + (p - base));
}

/*
 * Simulated memory is ordinary host memory, coherent for every observer,
 * so there is nothing to clean; the count lets tests check that the core
 * asks where the architecture requires it.
 */
void pvm_port_dcache_clean_poc(void *va, size_t size)
{
	(void)va;
	(void)size;
	sim_lock();
	sim_m.stats.dcache_cleans++;
	sim_m.stats.dcache_clean_bytes += size;
	sim_unlock();
}

/* Coherent too: counted only (relaxed atomics: no lock on the donation path). */
void pvm_port_dcache_clean_inval_poc(void *va, size_t size)
{
	(void)va;
	__atomic_fetch_add(&sim_m.stats.dcache_clean_invals, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sim_m.stats.dcache_clean_inval_bytes, size, __ATOMIC_RELAXED);
}

void pvm_port_icache_inval_pou(void *va, size_t size)
{
	(void)va;
	__atomic_fetch_add(&sim_m.stats.icache_invals, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sim_m.stats.icache_inval_bytes, size, __ATOMIC_RELAXED);
}

/*
 * The simulator's host reads through the host stage-2 and the simulated
 * MMU, which is all the isolation it needs; the calls are only recorded
 * (pvm_sim_host_access()). A report outside RAM is a bug of the core.
 */
void pvm_port_host_access(pvm_paddr_t pa, uint64_t size, pvm_prot_t prot)
{
	uint64_t p = pvm_pa_val(pa);
	uint8_t *a;

	if (!ram_holds(p, size) || ((p | size) & (PVM_PAGE_SIZE - 1)) || (prot & ~PVM_PROT_RWX))
		sim_die("host access 0x%llx+0x%llx prot 0x%x: not whole RAM pages",
			(unsigned long long)p, (unsigned long long)size, prot);
	/*
	 * No simulator lock: the core calls this under its memory lock, which
	 * orders the writers; a reader (pvm_sim_host_access()) sees each
	 * page's byte whole. It is on every single-page transition's path.
	 */
	a = sim_m.host_access + (p - sim_m.ram_base) / PVM_PAGE_SIZE;
	for (uint64_t i = 0; i < size / PVM_PAGE_SIZE; i++)
		__atomic_store_n(&a[i], (uint8_t)prot, __ATOMIC_RELAXED);
}

unsigned pvm_sim_host_access(pvm_paddr_t pa)
{
	uint64_t p = pvm_pa_val(pa);
	unsigned r = PVM_SIM_HOST_ACCESS_UNKNOWN;

	if (ram_holds(p, 1))
		r = __atomic_load_n(&sim_m.host_access[(p - sim_m.ram_base) / PVM_PAGE_SIZE],
				    __ATOMIC_RELAXED);
	return r;
}

/*
 * Thread ids are never 0, the "unlocked" value. The id is cached (a
 * syscall per lock would dominate tests that translate every page); a
 * child of fork() forgets the cache, as it has a new id.
 */
static _Thread_local uint32_t my_tid;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void forget_tid(void)
{
	my_tid = 0;
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, forget_tid);
}

static uint32_t self_id(void)
{
	if (!my_tid) {
		pthread_once(&atfork_once, register_atfork);
		my_tid = (uint32_t)syscall(SYS_gettid);
	}
	return my_tid;
}

/*
 * The lock word holds the owner's thread id, not just 1: taking a lock
 * twice on one thread (a deadlock on hardware) and releasing a lock one
 * does not hold are core bugs, reported here instead of hanging.
 */
void pvm_port_lock(pvm_lock_t *lock)
{
	uint32_t self = self_id();
	uint32_t seen;

	for (;;) {
		seen = 0;
		if (__atomic_compare_exchange_n(&lock->word, &seen, self, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
		if (seen == self)
			sim_die("pvm_port_lock: lock %p taken twice by one thread (not recursive)",
				(void *)lock);
		/* Host threads may outnumber CPUs: give the owner a chance to run. */
		sched_yield();
	}
}

/*
 * No compare-and-swap here: once the word holds our id, no other thread can
 * change it (they only swap 0 for their own id), so a plain read finds a
 * release by a non-owner without a race, and a release store hands the
 * lock on. A locked instruction per release was a good part of what a
 * transition cost on the simulator.
 */
void pvm_port_unlock(pvm_lock_t *lock)
{
	uint32_t seen = __atomic_load_n(&lock->word, __ATOMIC_RELAXED);

	if (seen != self_id())
		sim_die("pvm_port_unlock: lock %p is not held by this thread (word %u)",
			(void *)lock, seen);
	__atomic_store_n(&lock->word, 0, __ATOMIC_RELEASE);
}

/* The word names its owner: held means held by this thread. */
bool pvm_port_lock_held(const pvm_lock_t *lock)
{
	return __atomic_load_n(&lock->word, __ATOMIC_RELAXED) == self_id();
}

/* The simulated machine is this process: stop it, with a core dump to debug. */
_Noreturn void pvm_port_panic(const char *why)
{
	sim_die("panic: %s", why);
}
