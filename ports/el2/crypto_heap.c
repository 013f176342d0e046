/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The only dynamic memory in the EL2 image: a fixed arena for mbedtls's
 * bignums and the P-256 group (its comb table of the base point lives as
 * long as the image), managed by mbedtls's own buffer allocator
 * (MBEDTLS_MEMORY_BUFFER_ALLOC_C; mbedtls_config.h). Nothing else can
 * allocate from it: the core allocates nothing, and picolibc's malloc is
 * not linked.
 *
 * Size: the shared group (its comb table of the base point is most of it)
 * plus the bignums and points of one key derivation or signature in
 * flight, each with the allocator's header. Measured with the el2.attest
 * test (root key, a VM's keys, its certificate and token signed): 6 KiB
 * works, 5 KiB does not; 16 KiB leaves room for what a later phase adds
 * (several VMs sealing, guest attestation calls).
 *
 * Several CPUs: every CPU may derive keys or sign at the same time (a
 * guest's attestation call runs on the CPU that runs the guest, a VM's
 * first run seals it on whichever CPU runs it), and the engine
 * (ports/mbedtls) shares nothing writable between calls but this arena:
 * its P-256 group is read-only once loaded, and its loading is guarded
 * there. So the lock is the allocator's own: MBEDTLS_THREADING_ALT with
 * the port's spin lock, which mbedtls's buffer allocator takes around each
 * calloc and free (the pthread backend of MBEDTLS_THREADING_C is what is
 * not available here). Computations overlap; only the allocator's list
 * walks are serialised, for some hundreds of instructions each.
 * The alternatives cost more: a lock around whole crypto calls would make
 * a CPU wait for another's signature (a millisecond and more), and
 * per-CPU arenas would need an allocator of our own (mbedtls's has one
 * global heap) and each its own room for the shared group.
 *
 * Size: two operations in flight at once need the group and twice the
 * per-operation bignums, about 8 KiB by the measure above; 16 KiB stays.
 */
#include <stdint.h>

#include <mbedtls/memory_buffer_alloc.h>
#include <mbedtls/threading.h>

#include "el2.h"
#include "spinlock.h"

#define CRYPTO_HEAP_SIZE (16u * 1024u)

static unsigned char crypto_heap[CRYPTO_HEAP_SIZE] __attribute__((aligned(16)));

static void mutex_init(mbedtls_threading_mutex_t *m)
{
	m->word = 0;
}

static void mutex_free(mbedtls_threading_mutex_t *m)
{
	(void)m;
}

static int mutex_lock(mbedtls_threading_mutex_t *m)
{
	spin_lock(&m->word);
	return 0;
}

static int mutex_unlock(mbedtls_threading_mutex_t *m)
{
	spin_unlock(&m->word);
	return 0;
}

void el2_crypto_heap_init(void)
{
	/* Before the allocator: it creates its mutex with these. */
	mbedtls_threading_set_alt(mutex_init, mutex_free, mutex_lock, mutex_unlock);
	mbedtls_memory_buffer_alloc_init(crypto_heap, sizeof(crypto_heap));
}

/* mbedtls_exit: the allocator found its own headers corrupted. */
void el2_mbedtls_exit(int status)
{
	el2_panic("mbedtls: heap corrupted (status %d)", status);
}
